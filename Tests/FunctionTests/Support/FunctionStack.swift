import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport

/// KloudHub's real function binaries behind the emulator, on a database of their own, shared
/// by every test of the process (each test makes its own accounts and clients). Clerk is
/// stood in for by a key of the tests' own: the functions get only its public half.
actor FunctionStack {
    static let shared = FunctionStack()

    struct Running: Sendable {
        let emulator: Emulator
        let gateway: String
        let database: TestDatabase
        let sessions: TestSessionTokens
        let webhookSecret: String
        let log: LogRecorder
    }

    private var starting: Task<Running, any Error>?

    func running() async throws -> Running {
        if let starting { return try await starting.value }
        let task = Task { try await Self.start() }
        starting = task
        return try await task.value
    }

    private static func start() async throws -> Running {
        let database = try await TestDatabase.create(label: "functions")
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
        let emulator = try Emulator(configuration: configuration)
        let endpoints = try await emulator.start()
        var gateway = endpoints.gateway.absoluteString
        while gateway.hasSuffix("/") { gateway.removeLast() }
        return Running(
            emulator: emulator, gateway: gateway, database: database, sessions: sessions,
            webhookSecret: webhookSecret, log: log)
    }
}
