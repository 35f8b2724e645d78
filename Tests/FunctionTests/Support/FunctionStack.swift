import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport

/// KloudHub's real function binaries behind the emulator, on a database of their own, shared
/// by every test of the process (each test makes its own accounts and clients). Clerk is
/// stood in for by a key of the tests' own: the functions get only its public half.
/// ``withLocalAWS`` adds a local AWS (moto, seeded with KloudHub's buckets) and lets
/// account-delete take fault injection, for the retention, deletion and export tests.
actor FunctionStack {
    static let shared = FunctionStack(usesLocalAWS: false)
    static let withLocalAWS = FunctionStack(usesLocalAWS: true)

    struct Running: Sendable {
        let emulator: Emulator
        let gateway: String
        let database: TestDatabase
        let sessions: TestSessionTokens
        let webhookSecret: String
        let log: LogRecorder
        /// KloudHub's buckets on the local AWS, when the stack has one.
        let storage: AccountStorage?
        /// The local AWS, when the stack has one.
        let aws: LocalAWS?
        /// How the emulator was configured, for tests that start another beside it.
        let configuration: EmulatorConfiguration
    }

    private let usesLocalAWS: Bool
    private var starting: Task<Running, any Error>?

    private init(usesLocalAWS: Bool) {
        self.usesLocalAWS = usesLocalAWS
    }

    func running() async throws -> Running {
        if let starting { return try await starting.value }
        let task = Task { [usesLocalAWS] in try await Self.start(usesLocalAWS: usesLocalAWS) }
        starting = task
        return try await task.value
    }

    private static func start(usesLocalAWS: Bool) async throws -> Running {
        let database = try await TestDatabase.create(label: usesLocalAWS ? "functions_aws" : "functions")
        var configuration = EmulatorConfiguration(
            functionFolders: [URL(fileURLWithPath: TestEnvironment.packageRoot + "/functions")],
            binaryFolder: URL(
                fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_BIN"]
                    ?? TestEnvironment.packageRoot + "/.build/debug"))
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        for role in [DatabaseRole.api, .worker, .maintenance] {
            configuration.databaseURLs[role] = database.connectionString(for: role)
        }
        var sessions = try TestSessionTokens()
        sessions.issuer = "https://clerk.functions.test"
        let webhookSecret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        configuration.environment = [
            "KLOUDHUB_CLERK_ISSUER": sessions.issuer, "KLOUDHUB_CLERK_JWT_KEY": sessions.publicKeyPEM,
            "KLOUDHUB_CLERK_AUTHORIZED_PARTIES": sessions.party,
            "KLOUDHUB_CLERK_SIGN_IN_URL": "https://accounts.kloudhub.test/sign-in",
            "KLOUDHUB_CLERK_WEBHOOK_SECRET": webhookSecret, "KLOUDHUB_OAUTH_LOOPBACK_CLIENT_METADATA": "allow",
        ]
        let log = LogRecorder()
        configuration.log = log.log()
        var storage: AccountStorage?
        var localAWS: LocalAWS?
        if usesLocalAWS {
            let aws = try await SharedLocalAWS.start(log: log.log())
            localAWS = aws
            configuration.environment.merge(aws.functionEnvironment) { own, _ in own }
            configuration.environment["KLOUDHUB_ERASURE_FAULT_INJECTION"] = "allow"
            configuration.asyncRetryDelays = [.milliseconds(200), .milliseconds(400)]
            storage = try AccountStorage(
                environment: aws.functionEnvironment.merging(["AWS_REGION": aws.region]) { own, _ in own },
                httpClient: HTTPClient())
        }
        let emulator = try Emulator(configuration: configuration)
        let endpoints = try await emulator.start()
        var gateway = endpoints.gateway.absoluteString
        while gateway.hasSuffix("/") { gateway.removeLast() }
        return Running(
            emulator: emulator, gateway: gateway, database: database, sessions: sessions,
            webhookSecret: webhookSecret, log: log, storage: storage, aws: localAWS, configuration: configuration)
    }
}
