import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `mcp` binary behind the emulator's API Gateway, with an API key, as a client
/// over HTTP sees it.
@Suite(.database, .serialized) struct EmulatorTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let binaries = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_BIN"]
            ?? packageRoot.appendingPathComponent(".build/debug").path)
    static let publicURL = "http://127.0.0.1:9"

    /// Starts the emulator over `functions/` with the API role's database, runs `body`, stops it.
    static func withEmulator(
        _ database: TestDatabase, _ body: (Emulator.Endpoints) async throws -> Void
    ) async throws {
        var configuration = EmulatorConfiguration(
            functionFolders: [packageRoot.appendingPathComponent("functions")], binaryFolder: binaries)
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        configuration.settings[.publicURL] = publicURL
        try await database.deploy(&configuration, on: try await SharedLocalAWS.common())
        let log = LogRecorder()
        configuration.log = log.log()
        let emulator = try Emulator(configuration: configuration)
        let endpoints = try await emulator.start()
        do {
            try await body(endpoints)
        } catch {
            await emulator.shutdown()
            throw error
        }
        await emulator.shutdown()
    }

    static func post(
        _ endpoints: Emulator.Endpoints, _ body: String, key: String?, version: String? = "2025-11-25"
    ) async throws -> (status: Int, headers: [String: String], json: [String: Any]) {
        var request = URLRequest(url: URL(string: endpoints.gateway.absoluteString + "/mcp")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.timeoutInterval = 60
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json, text/event-stream", forHTTPHeaderField: "Accept")
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let version { request.setValue(version, forHTTPHeaderField: "MCP-Protocol-Version") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields { headers[String(describing: name).lowercased()] = "\(value)" }
        let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return (http.statusCode, headers, json)
    }

    @Test func servesToolsThroughTheGatewayWithAnAPIKey() async throws {
        let database = try TestDatabase.required()
        let data = try MCPAccountData.insert(into: database, label: "emulator")
        let key = try APIKeyService(database: database.client(as: .api)).create(
            account: data.accountID, name: "emulator test", scopes: [.read], expiresAt: nil
        ).key
        try await Self.withEmulator(database) { endpoints in
            let challenge = try await Self.post(endpoints, #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, key: nil)
            #expect(challenge.status == 401)
            #expect(
                challenge.headers["www-authenticate"]?.contains(
                    #"resource_metadata="\#(Self.publicURL)/.well-known/oauth-protected-resource/mcp""#) == true)

            let initialized = try await Self.post(
                endpoints,
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#,
                key: key, version: nil)
            #expect(initialized.status == 200)
            #expect((initialized.json["result"] as? [String: Any])?["protocolVersion"] as? String == "2025-11-25")

            let listed = try await Self.post(endpoints, #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, key: key)
            let tools = (listed.json["result"] as? [String: Any])?["tools"] as? [[String: Any]]
            #expect(tools?.count == 17)

            let called = try await Self.post(
                endpoints,
                #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_waste_findings","arguments":{}}}"#,
                key: key)
            let structured = (called.json["result"] as? [String: Any])?["structuredContent"] as? [String: Any]
            #expect(structured?["total_monthly_saving"] as? String == "119.75")

            let refused = try await Self.post(
                endpoints,
                #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"list_resources","arguments":{"limit":1000}}}"#,
                key: key)
            #expect((refused.json["result"] as? [String: Any])?["isError"] as? Bool == true)
        }
    }

    /// The Python interpreter of the project's venv (`KLOUDHUB_PYTHON` overrides it).
    static var python: URL {
        URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"]
                ?? packageRoot.appendingPathComponent(".venv/bin/python").path)
    }

    @Test(arguments: ["legacy", "auto"])
    func officialPythonClientCallsEveryTool(mode: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python.path), "run scripts/bootstrap.sh")
        let database = try TestDatabase.required()
        let data = try MCPAccountData.insert(into: database, label: "sdk-\(mode)")
        let key = try APIKeyService(database: database.client(as: .api)).create(
            account: data.accountID, name: "sdk \(mode)", scopes: [.read], expiresAt: nil
        ).key
        try await Self.withEmulator(database) { endpoints in
            let script = Self.packageRoot.appendingPathComponent("Tests/MCPTests/Support/mcp_sdk_client.py")
            let outcome = try await CommandRunner.run(
                Self.python, [script.path, endpoints.gateway.absoluteString + "/mcp", key, mode])
            let errors = String(decoding: outcome.errorOutput, as: UTF8.self)
            try #require(outcome.status == 0, "mcp_sdk_client.py failed: \(errors.suffix(3000))")
            let report = try #require(
                try JSONSerialization.jsonObject(with: outcome.output) as? [String: Any], "\(outcome.text)")
            #expect(report["protocol_version"] as? String == (mode == "auto" ? "2026-07-28" : "2025-11-25"))
            #expect((report["tools"] as? [String])?.count == 17)
            let calls = try #require(report["calls"] as? [String: [String: Any]])
            let summary = calls["get_cost_summary"]?["structured"] as? [String: Any]
            #expect(summary?["total_monthly_cost"] as? String == "199.75")
            let findings = calls["list_waste_findings"]?["structured"] as? [String: Any]
            #expect((findings?["findings"] as? [Any])?.count == 2)
            #expect(findings?["total_monthly_saving"] as? String == "119.75")
            #expect(calls["bad_arguments"]?["is_error"] as? Bool == true)
            #expect((calls["bad_arguments"]?["text"] as? String)?.contains("limit") == true)
            try Self.expectEveryToolAnswered(report, data)
        }
    }

    /// What the SDK's calls of every tool must have shown for `data`'s account: each tool called
    /// without error, one row per table, the get_* tools answering for the listed ids, and the
    /// resources most expensive first over pages of two.
    static func expectEveryToolAnswered(_ report: [String: Any], _ data: MCPAccountData) throws {
        let calls = try #require(report["calls"] as? [String: [String: Any]])
        let called = Set(calls.keys.map { String($0.prefix { $0 != "#" }) }).subtracting(["bad_arguments"])
        // The write tools need a local AWS and a write key; ScanTests and FunctionTests call them
        // through the emulator.
        #expect(
            called
                == Set(report["tools"] as? [String] ?? []).subtracting([
                    "start_scan", "plan_kloud", "apply_kloud", "destroy_kloud",
                ]))
        for (name, call) in calls where name != "bad_arguments" {
            #expect(call["is_error"] as? Bool == false, "\(name) failed")
        }
        func structured(_ name: String) -> [String: Any] { calls[name]?["structured"] as? [String: Any] ?? [:] }
        func id(_ object: Any?) -> String { ((object as? [String: Any])?["id"] as? String ?? "").uppercased() }
        let fixture = data.fixture
        let lists: [(String, String, AccountOwnedTable)] = [
            ("list_cloud_accounts", "cloud_accounts", .cloudAccounts), ("list_scans", "scans", .scans),
            ("list_klouds", "klouds", .klouds), ("list_deployments", "deployments", .deployments),
            ("list_shells", "shells", .shells), ("list_analyses", "analyses", .analyses),
        ]
        for (tool, key, table) in lists {
            let items = structured(tool)[key] as? [Any] ?? []
            #expect(items.map(id) == [fixture.id(in: table).uuidString], "\(tool) lists the account's one row")
        }
        #expect(id(structured("get_scan")["scan"]) == fixture.id(in: .scans).uuidString)
        #expect(id(structured("get_kloud")["kloud"]) == fixture.id(in: .klouds).uuidString)
        let variables = structured("get_kloud")["variables"] as? [String: [String: Any]]
        #expect(variables?["db_password"]?["default"] as? String == "[redacted]")
        #expect(id(structured("get_deployment")["deployment"]) == fixture.id(in: .deployments).uuidString)
        #expect(id(structured("get_analysis")["analysis"]) == fixture.id(in: .analyses).uuidString)
        let pages = try #require(report["resource_pages"] as? [[[String: String]]])
        #expect(pages.map(\.count) == [2, 2, 1])
        #expect(pages.joined().map { ($0["id"] ?? "").uppercased() } == data.resourceIDs.map(\.uuidString))
        #expect(pages.joined().map { $0["monthly_cost"] ?? "" } == MCPAccountData.costs)
    }
}
