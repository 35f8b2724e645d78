import Foundation
import KloudCore

/// The local runtime emulator: API Gateway, the Lambda Invoke API and the scheduler in front of
/// pools of real function processes, each fed through its own Runtime API (DESIGN.md section 5).
public actor Emulator {
    /// Where the emulator's front doors listen.
    public struct Endpoints: Sendable {
        public var gateway: URL
        public var lambda: URL
    }

    public let configuration: EmulatorConfiguration
    public let manifests: [FunctionManifest]
    /// The development sign-in's key and webhook secret, standing in for Clerk's.
    public nonisolated let developmentSigningKey: DevelopmentSigningKey
    /// The development sign-in at the gateway's origin, from `start()` on: it mints the session
    /// tokens the functions accept.
    public private(set) var developmentSignIn: DevelopmentSignIn?
    private var pools: [String: FunctionPool] = [:]
    private var servers: [ServerTask] = []
    private var background: [Task<Void, Never>] = []
    private var endpoints: Endpoints?

    /// Loads and checks every manifest, a malformed one stopping here with its file and field,
    /// and loads (or makes) the development sign-in's key.
    public init(configuration: EmulatorConfiguration) throws {
        self.configuration = configuration
        var manifests: [FunctionManifest] = []
        for folder in configuration.functionFolders {
            manifests += try ManifestLoader.loadAll(in: folder)
        }
        let names = manifests.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ManifestError(file: duplicate, field: nil, reason: "two functions are named \(duplicate)")
        }
        self.manifests = manifests
        self.developmentSigningKey =
            try configuration.developmentSignInKeyPath.map(DevelopmentSigningKey.init(keyFile:))
            ?? DevelopmentSigningKey()
    }

    /// Starts the front doors and the scheduler; function instances start on first use.
    public func start() async throws -> Endpoints {
        if let endpoints { return endpoints }
        let invoke: @Sendable (String, Invocation) async throws -> InvocationResult = { [weak self] name, invocation in
            guard let self else { throw EmulatorError.shuttingDown }
            return try await self.invoke(name, invocation)
        }
        let enqueue: @Sendable (String, Invocation) -> Void = { [weak self] name, invocation in
            Task { await self?.invokeAsynchronously(name, invocation) }
        }
        let lambda = try await ServerTask.start(
            InvokeAPIResponder(
                functions: Dictionary(uniqueKeysWithValues: manifests.map { ($0.name, $0) }),
                region: configuration.region, accountID: configuration.accountID,
                caller: InvokeCaller(functionCredentials: configuration.functionCredentials), invoke: invoke,
                enqueue: enqueue),
            host: configuration.host, port: configuration.lambdaPort, name: "Lambda API")
        servers.append(lambda)
        let gateway = try await ServerTask.start(
            APIGatewayResponder(
                routes: RouteTable(manifests: manifests), accountID: configuration.accountID,
                integrationTimeout: configuration.integrationTimeout, signingKey: developmentSigningKey,
                host: configuration.host, invoke: invoke),
            host: configuration.host, port: configuration.gatewayPort, name: "API Gateway")
        servers.append(gateway)
        // The functions are told the gateway's origin (sign-in issuer, public URL), so their pools
        // are made only now that it listens; a request in between is answered 503.
        let lambdaURL = URL(string: "http://\(configuration.host):\(lambda.port)")!
        let signIn = DevelopmentSignIn(
            signingKey: developmentSigningKey, origin: "http://\(configuration.host):\(gateway.port)")
        developmentSignIn = signIn
        let instanceLaunch = launch(lambdaURL: lambdaURL, signIn: signIn)
        for manifest in manifests {
            pools[manifest.name] = FunctionPool(
                manifest: manifest, launch: instanceLaunch,
                maximumInstances: manifest.reservedConcurrency ?? configuration.defaultConcurrency,
                log: configuration.log)
        }
        if configuration.isSchedulerEnabled {
            let runner = ScheduleRunner(
                manifests: manifests, region: configuration.region, accountID: configuration.accountID,
                speedup: configuration.scheduleSpeedup, fire: enqueue)
            background.append(Task { await runner.run() })
        }
        let started = Endpoints(gateway: URL(string: signIn.origin)!, lambda: lambdaURL)
        endpoints = started
        return started
    }

    /// What every instance starts with, besides its manifest's settings and Lambda's own
    /// variables: the emulator's PATH and locale, the Lambda API, where AWS is, and the
    /// development switches. The gateway's origin is the public URL, and the development
    /// sign-in stands in for Clerk, unless the configuration names others (a real Clerk's).
    private func launch(lambdaURL: URL, signIn: DevelopmentSignIn) -> InstanceLaunch {
        var shared: [String: String] = [:]
        let inherited = ProcessInfo.processInfo.environment
        for name in ["PATH", "LANG", "LD_LIBRARY_PATH"] { shared[name] = inherited[name] }
        shared[Setting.logLevel] = inherited[Setting.logLevel] ?? "info"
        shared.merge(configuration.awsEnvironment) { _, aws in aws }
        shared["AWS_ENDPOINT_URL_LAMBDA"] = lambdaURL.absoluteString
        var switches = configuration.developmentSwitches
        if switches[.terraformPluginDirectory] == nil {
            // In AWS deploy takes the providers from its layer; here, from this machine's mirror.
            switches[.terraformPluginDirectory] =
                inherited[DevelopmentSwitch.terraformPluginDirectory.rawValue] ?? TerraformMirror.locate()
        }
        for (developmentSwitch, value) in switches { shared[developmentSwitch.rawValue] = value }
        shared.merge(configuration.testEnvironment) { _, test in test }
        var settings = signIn.settings
        settings[.publicURL] = signIn.origin
        settings[.functionNamePrefix] = ""
        settings.merge(configuration.settings) { _, configured in configured }
        return InstanceLaunch(
            region: configuration.region, accountID: configuration.accountID, sharedEnvironment: shared,
            settings: settings, databaseSecrets: configuration.databaseSecrets,
            functionCredentials: configuration.functionCredentials, sharedCredentials: configuration.sharedCredentials,
            binaryFolder: configuration.binaryFolder)
    }

    /// Invokes `function` synchronously and returns what it produced.
    public func invoke(_ function: String, _ invocation: Invocation) async throws -> InvocationResult {
        guard let pool = pools[function] else {
            throw endpoints == nil ? EmulatorError.shuttingDown : EmulatorError.unknownFunction(function)
        }
        return await pool.invoke(invocation)
    }

    /// Invokes `function` as an asynchronous (Event) invoke: a failure is retried twice, as
    /// Lambda does, after the configured delays.
    public func invokeAsynchronously(_ function: String, _ invocation: Invocation) async {
        var attempt = 0
        while true {
            guard let result = try? await invoke(function, invocation) else { return }
            guard case .failure(let failure) = result else { return }
            guard attempt < configuration.asyncRetryDelays.count else {
                configuration.log.line(
                    "async invocation \(invocation.requestID) failed after \(attempt + 1) attempts: \(failure.errorType)",
                    function: function)
                return
            }
            try? await Task.sleep(for: configuration.asyncRetryDelays[attempt])
            attempt += 1
        }
    }

    /// The pool running `function`'s instances.
    public func pool(for function: String) -> FunctionPool? { pools[function] }

    /// Stops the front doors, the scheduler and every instance.
    public func shutdown() async {
        background.forEach { $0.cancel() }
        background.removeAll()
        for pool in pools.values { await pool.shutdown() }
        pools.removeAll()
        for server in servers { await server.stopAndWait() }
        servers.removeAll()
        endpoints = nil
        developmentSignIn = nil
    }
}
