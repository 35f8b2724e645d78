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
        var sessions = try TestSessionTokens()
        sessions.issuer = "https://clerk.functions.test"
        let webhookSecret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        configuration.settings = [
            .clerkIssuer: sessions.issuer, .clerkJWTKey: sessions.publicKeyPEM,
            .clerkAuthorizedParties: sessions.party, .clerkSignInURL: "https://accounts.kloudhub.test/sign-in",
            .clerkWebhookSecret: webhookSecret,
        ]
        configuration.developmentSwitches[.loopbackClientMetadata] = "allow"
        let log = LogRecorder()
        configuration.log = log.log()
        // The erasure and deployment tests change the customer account and the buckets: a local
        // AWS of their own. The others share one for their functions' roles and secrets.
        let aws = usesLocalAWS ? try await SharedLocalAWS.start() : try await SharedLocalAWS.common()
        try await database.deploy(&configuration, on: aws)
        var storage: AccountStorage?
        var localAWS: LocalAWS?
        if usesLocalAWS {
            localAWS = aws
            configuration.developmentSwitches[.erasureFaultInjection] = "allow"
            configuration.asyncRetryDelays = [.milliseconds(200), .milliseconds(400)]
            storage = AccountStorage(
                s3: S3Client(configuration: aws.adminConfiguration, httpClient: HTTPClient()),
                buckets: aws.seed.buckets)
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
