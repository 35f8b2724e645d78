import ArgumentParser
import Foundation
import KloudCore
import KloudLocal

/// `kloudhub-local`: runs KloudHub's functions on one machine as AWS would run them.
@main
struct KloudHubLocal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kloudhub-local",
        abstract: "Run KloudHub's Lambda functions locally behind an emulated API Gateway and Lambda.",
        subcommands: [Up.self, Invoke.self, Migrate.self])
}

/// Options every subcommand shares: where the functions and their binaries are.
struct FunctionOptions: ParsableArguments {
    @Option(name: .customLong("functions"), help: "A folder of functions (each NAME/function.json); repeatable.")
    var functionFolders: [String] = ["functions"]

    @Option(name: .customLong("bin"), help: "Where the built function binaries are.")
    var binaryFolder = ".build/debug"

    @Option(help: "The AWS region the functions see.")
    var region = "us-east-1"

    func configuration() -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration(
            functionFolders: functionFolders.map { URL(fileURLWithPath: $0) },
            binaryFolder: URL(fileURLWithPath: binaryFolder))
        configuration.region = region
        return configuration
    }
}

/// Options of the commands that run the functions on the local services: where they keep
/// their data, and whether AWS is the local one.
struct ServiceOptions: ParsableArguments {
    @Flag(help: "Use real AWS with the environment's credentials instead of the local AWS endpoint.")
    var realAWS = false

    @Option(help: "Where embedded services keep their data.")
    var data = ".local"

    /// The settings given in this shell's environment.
    static var settingsFromShell: [Setting: String] {
        var settings: [Setting: String] = [:]
        for setting in Setting.allCases {
            if let value = ProcessInfo.processInfo.environment[setting.rawValue], !value.isEmpty {
                settings[setting] = value
            }
        }
        return settings
    }

    /// Starts the services `configuration` needs (the database, the local AWS), then the
    /// emulator; settings given in this shell (a real Clerk's, a public URL) win over the
    /// emulator's. Nothing is left running when it throws.
    func start(
        _ configuration: inout EmulatorConfiguration, region: String
    ) async throws -> (emulator: Emulator, endpoints: Emulator.Endpoints, services: LocalServices) {
        configuration.developmentSignInKeyPath = URL(fileURLWithPath: data).appendingPathComponent(
            "dev-sign-in/key.pem")
        configuration.settings.merge(Self.settingsFromShell) { _, shell in shell }
        let services = LocalServices(
            options: .init(
                projectRoot: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                dataFolder: URL(fileURLWithPath: data), region: region, usesRealAWS: realAWS,
                environment: ProcessInfo.processInfo.environment),
            log: configuration.log)
        do {
            try await services.start(configuring: &configuration)
            let emulator = try Emulator(configuration: configuration)
            return (emulator, try await emulator.start(), services)
        } catch {
            await services.stop()
            throw error
        }
    }
}

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve API Gateway and the Lambda Invoke API, and fire schedules, until interrupted.")

    @OptionGroup var functions: FunctionOptions

    @Option(help: "API Gateway's port.")
    var port = 3000

    @Option(help: "The Lambda Invoke API's port.")
    var lambdaPort = 3001

    @Flag(help: "Do not fire scheduled functions.")
    var noSchedules = false

    @OptionGroup var services: ServiceOptions

    func run() async throws {
        var configuration = functions.configuration()
        configuration.gatewayPort = port
        configuration.lambdaPort = lambdaPort
        configuration.isSchedulerEnabled = !noSchedules
        let (emulator, endpoints, services) = try await self.services.start(&configuration, region: functions.region)
        let passedThrough = ServiceOptions.settingsFromShell.keys.map(\.rawValue).sorted()
        if self.services.realAWS, let aws = await services.localAWS {
            say(
                "Real AWS      the environment's credentials; the local database's secrets at \(aws.endpoint.absoluteString)"
            )
        } else if let aws = await services.localAWS {
            say(
                "Local AWS     \(aws.endpoint.absoluteString) (account \(aws.seed.accountID), signatures and IAM policies checked)"
            )
            say(
                "  demo customer role \(aws.seed.demoCustomer.roleARN), external id \(aws.seed.demoCustomer.externalID)"
            )
        }
        say("API Gateway   \(endpoints.gateway.absoluteString)")
        say("Lambda API    \(endpoints.lambda.absoluteString)")
        if let signIn = await emulator.developmentSignIn {
            say("Sign-in page  \(signIn.signInURL) (development stand-in for Clerk)")
        }
        if !passedThrough.isEmpty {
            say("  functions use \(passedThrough.joined(separator: ", ")) from this shell")
        }
        for manifest in await emulator.manifests {
            let triggers = manifest.routes.map(\.key) + (manifest.schedule.map { ["schedule \($0)"] } ?? [])
            say("  \(manifest.name): \(triggers.joined(separator: ", "))")
        }
        await StopSignal.wait()
        say("stopping")
        await emulator.shutdown()
        await services.stop()
    }
}

struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Invoke one function once and print its response (exit status 1 on a function error).",
        discussion: """
            The function runs as under `up`, on the same local database and AWS (started for the \
            invocation and stopped after it). An event may name credentials as {{session}}, \
            {{api_key}} and {{access_token}}: a session of the development sign-in's sample person, \
            an API key made with it, and an OAuth access token from a registered client's consent \
            and code exchange; the key and the connection are revoked after the invocation.
            """)

    @OptionGroup var functions: FunctionOptions
    @OptionGroup var services: ServiceOptions

    @Argument(help: "The function's name.")
    var name: String

    @Option(
        help:
            "A JSON event file ('-' reads standard input); default: a scheduled event for scheduled functions, else {}."
    )
    var event: String?

    func run() async throws {
        var configuration = functions.configuration()
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        configuration.log = EmulatorLog { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let manifests = try configuration.functionFolders.flatMap(ManifestLoader.loadAll(in:))
        guard let manifest = manifests.first(where: { $0.name == name }) else {
            throw ValidationError("no function named \(name)")
        }
        let event = try eventPayload(for: manifest)
        let (emulator, _, services) = try await self.services.start(&configuration, region: functions.region)
        let result: InvocationResult
        do {
            guard let signIn = await emulator.developmentSignIn else { throw EmulatorError.shuttingDown }
            let credentials = SampleCredentials(signIn: signIn)
            result = try await emulator.invoke(name, Invocation(payload: try await credentials.fill(event)))
            try await credentials.revoke()
        } catch {
            await emulator.shutdown()
            await services.stop()
            throw error
        }
        await emulator.shutdown()
        await services.stop()
        switch result {
        case .success(let output):
            FileHandle.standardOutput.write(output + Data("\n".utf8))
        case .failure(let failure):
            FileHandle.standardOutput.write(failure.document + Data("\n".utf8))
            throw ExitCode(1)
        }
    }

    private func eventPayload(for manifest: FunctionManifest) throws -> Data {
        switch event {
        case "-": return FileHandle.standardInput.readDataToEndOfFile()
        case let path?: return try Data(contentsOf: URL(fileURLWithPath: path))
        case nil where manifest.schedule != nil:
            return ScheduledEventFactory.event(for: manifest.name, region: functions.region)
        case nil: return Data("{}".utf8)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prepare a database: apply the migrations and make the login users of the three roles.",
        discussion: """
            The same preparation the emulator, the tests and a deployment use (DatabasePreparation): \
            the migrations as the owner, then a login user per app role (api, worker, maintenance) with \
            the password its connection string holds, its group role only and no role settings. \
            Idempotent: run it after every deployment, or after changing a password in a secret.

            In AWS: --secrets NAME-ENVIRONMENT/database reads the four secrets infra/ made \
            (owner, api, worker, maintenance), with the environment's AWS credentials and region. \
            Otherwise --database-url is the owner's connection string and each --login ROLE=URL \
            names a login user (without any, only the migrations are applied).
            """)

    @Option(help: "The owner's connection string (URL or conninfo).")
    var databaseURL: String?

    @Option(name: .customLong("login"), help: "A role's connection string: api=URL, worker=URL, maintenance=URL.")
    var logins: [String] = []

    @Option(help: "The prefix of the database secrets in Secrets Manager, such as kloudhub-production/database.")
    var secrets: String?

    @Option(help: "The folder of ordered SQL migrations.")
    var migrations = "migrations"

    func run() async throws {
        let preparation: DatabasePreparation
        if let secrets {
            let environment = ProcessInfo.processInfo.environment
            preparation = try await DatabasePreparation.fromSecrets(
                prefix: secrets, aws: try AWSConfiguration(environment: environment),
                httpClient: HTTPClient(configuration: .init(environment: environment)), migrationsDirectory: migrations)
        } else if let databaseURL {
            let parsed = try logins.map { pair -> DatabasePreparation.Login in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let role = DatabaseRole(rawValue: parts[0]), role != .owner else {
                    throw ValidationError("--login takes api=URL, worker=URL or maintenance=URL")
                }
                return try DatabasePreparation.Login(role: role, connectionString: parts[1])
            }
            preparation = DatabasePreparation(
                ownerConnectionString: databaseURL, logins: parsed, migrationsDirectory: migrations)
        } else {
            throw ValidationError("give --secrets, or --database-url (with --login for each role)")
        }
        let report = try preparation.run()
        for name in report.migrations.applied { say("applied  \(name)") }
        say("\(report.migrations.applied.count) applied, \(report.migrations.alreadyApplied.count) already applied")
        for user in report.createdLogins { say("created  login \(user)") }
        for user in report.updatedLogins { say("updated  login \(user)") }
    }
}

/// Waits for SIGINT or SIGTERM.
enum StopSignal {
    static func wait() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}

/// Writes a line to standard output at once (print buffers when the output is not a terminal).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
