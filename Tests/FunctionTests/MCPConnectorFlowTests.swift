import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// The whole connector flow as a real MCP client makes it: the official Python `mcp` SDK's
/// OAuth client against the emulator running every function, with headless Chromium signing
/// in on the development sign-in page and pressing Allow on the consent page (which it
/// screenshots): discovery from a 401, registration, authorization, token exchange, MCP
/// calls, refresh and revocation.
@Suite struct MCPConnectorFlowTests {
    static let packageRoot = URL(fileURLWithPath: TestEnvironment.packageRoot)
    static var python: URL {
        URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"]
                ?? packageRoot.appendingPathComponent(".venv/bin/python").path)
    }

    @Test func theOfficialSDKConnectsThroughSignInAndConsent() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python.path), "run scripts/bootstrap.sh")
        let stack = try await FunctionStack.shared.running()
        let shared = await stack.emulator.configuration
        // An emulator of its own: the functions trust its development sign-in, as they would Clerk.
        var configuration = EmulatorConfiguration(
            functionFolders: [Self.packageRoot.appendingPathComponent("functions")],
            binaryFolder: shared.binaryFolder)
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        configuration.databaseSecrets = shared.databaseSecrets
        configuration.awsEnvironment = shared.awsEnvironment
        configuration.functionCredentials = shared.functionCredentials
        configuration.settings = shared.settings.filter { !$0.key.rawValue.hasPrefix("KLOUDHUB_CLERK_") }
        let log = LogRecorder()
        configuration.log = log.log()
        let emulator = try Emulator(configuration: configuration)
        let gateway = try await emulator.start().gateway.absoluteString
        let outcome: CommandRunner.Outcome
        do {
            outcome = try await runFlow(gateway: gateway)
        } catch {
            await emulator.shutdown()
            throw error
        }
        await emulator.shutdown()
        let errors = String(decoding: outcome.errorOutput, as: UTF8.self)
        try #require(
            outcome.status == 0,
            "mcp_oauth_flow.py failed: \(errors.suffix(4000))\nemulator: \(log.recorded.suffix(30).joined(separator: "\n"))"
        )
        let observed = try #require(try JSONSerialization.jsonObject(with: outcome.output) as? [String: Any])
        #expect(FileManager.default.fileExists(atPath: Self.screenshot.path), "the consent page was screenshotted")
        #expect(observed["client_id"] as? String != nil)

        // What the SDK did is now in the database: the account from the sign-in page, the
        // client it registered, and the tokens it was issued (revoked at the end of the flow).
        let owner = stack.database.client(as: .maintenance)
        let account = try #require(
            try owner.query("select id from kloudhub.accounts where email = \(Self.email)").first?.decode(UUID.self))
        let tokens = try owner.query(
            """
            select k.kind, k.revoked_at is not null, c.client_name from kloudhub.api_keys k
            join kloudhub.oauth_clients c using (client_id) where k.account_id = \(account)
            """
        ).decode((String, Bool, String).self)
        #expect(tokens.contains { $0.0 == "oauth_access" })
        #expect(tokens.allSatisfy { $0.2 == "KloudHub flow test" })
        #expect(tokens.contains { $0.0 == "oauth_refresh" && $0.1 }, "the revoked refresh family")
    }

    static let email = "flow-\(UUID().uuidString.prefix(8).lowercased())@example.com"
    static let screenshot = packageRoot.appendingPathComponent(".build/test-artifacts/consent-page.png")

    private func runFlow(gateway: String) async throws -> CommandRunner.Outcome {
        try FileManager.default.createDirectory(
            at: Self.screenshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: Self.screenshot)
        let script = Self.packageRoot.appendingPathComponent("Tests/FunctionTests/Python/mcp_oauth_flow.py")
        return try await CommandRunner.run(
            Self.python,
            [
                script.path, "--base-url", gateway, "--screenshot", Self.screenshot.path, "--name", "Flow Tester",
                "--email", Self.email,
            ])
    }
}
