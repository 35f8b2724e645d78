import Foundation
import KloudCore
import KloudTestSupport
import LambdaRuntime
import Testing

@testable import mcp

/// The transport and JSON-RPC rules of every supported revision, through the handler with a
/// real database behind its authenticator.
@Suite(.database, .serialized) struct ProtocolTests {
    let database: TestDatabase
    let data: MCPAccountData
    let function: MCPFunction
    /// A key with `kloudhub:read` only.
    let readKey: String

    init() throws {
        database = try TestDatabase.required()
        data = try MCPAccountData.insert(into: database, label: "protocol")
        let client = database.client(as: .api)
        let writeTool = Tool(
            name: "start_test_job", title: "A write tool", description: "Needs kloudhub:write.", input: InputSchema(),
            outputSchema: OutputSchema.object([:]), requiredScope: .write,
            run: { _, _ in ToolOutput(summary: "started", structured: EmptyResult()) })
        function = MCPFunction(
            settings: try OAuthSettings(publicURL: testPublicURL), allowedOrigins: [testPublicURL],
            authenticator: Authenticator(database: client, clerk: nil),
            server: MCPServer(catalog: ToolCatalog(ToolCatalog.standard.tools + [writeTool]), database: client),
            requestLog: nil)
        readKey = try APIKeyService(database: client).create(
            account: data.accountID, name: "protocol test \(UUID())", scopes: [.read], expiresAt: nil
        ).key
    }

    func post(
        _ body: String, version: String? = nil, headers: [String: String] = [:], key: String? = nil
    ) async -> APIGatewayV2Response {
        var all = headers
        all["authorization"] = "Bearer \(key ?? readKey)"
        if let version { all["mcp-protocol-version"] = version }
        return await function.handle(mcpRequest(body: body, headers: all), context: testContext())
    }

    func error(_ response: APIGatewayV2Response) throws -> (code: Int, message: String) {
        let error = try #require(try jsonObject(response)["error"] as? [String: Any])
        return (try #require(error["code"] as? Int), error["message"] as? String ?? "")
    }

    func result(_ response: APIGatewayV2Response) throws -> [String: Any] {
        #expect(response.statusCode == 200, "\(response.body ?? "")")
        return try #require(try jsonObject(response)["result"] as? [String: Any], "\(response.body ?? "")")
    }

    // MARK: - Authorization

    @Test func challengesARequestWithoutAToken() async throws {
        let response = await function.handle(
            mcpRequest(body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#), context: testContext())
        #expect(response.statusCode == 401)
        let challenge = try #require(response.headers?["WWW-Authenticate"])
        #expect(challenge.hasPrefix("Bearer "))
        #expect(challenge.contains(#"resource_metadata="\#(testPublicURL)/.well-known/oauth-protected-resource/mcp""#))
    }

    @Test func refusesAnUnknownKeyAndATokenForAnotherResource() async throws {
        let unknown = await post(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, key: SecretToken.generate(.apiKey).raw)
        #expect(unknown.statusCode == 401)
        #expect(unknown.headers?["WWW-Authenticate"]?.contains("invalid_token") == true)
        let token = SecretToken.generate(.accessToken)
        try database.client(as: .api).transaction(scopedTo: data.accountID) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.api_keys (account_id, kind, key_hash, display_prefix, scopes, client_id, family_id,
                                      resource, expires_at)
                values (\(data.accountID), 'oauth_access', \(token.hash), \(token.displayPrefix), \(["kloudhub:read"]),
                        \(data.fixture.oauthClientID), \(UUID()), 'https://other.example/mcp', now() + interval '1 hour')
                """)
        }
        let elsewhere = await post(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, key: token.raw)
        #expect(elsewhere.statusCode == 401)
    }

    @Test func refusesAWriteToolToAReadOnlyKey() async throws {
        let response = await post(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"start_test_job","arguments":{}}}"#,
            version: "2025-11-25")
        #expect(response.statusCode == 403)
        let challenge = try #require(response.headers?["WWW-Authenticate"])
        #expect(challenge.contains(#"error="insufficient_scope""#))
        #expect(challenge.contains(#"scope="kloudhub:write""#))
    }

    // MARK: - Transport

    @Test func answersGetAndDeleteWith405() async throws {
        for method in ["GET", "DELETE"] {
            let response = await function.handle(mcpRequest(method: method), context: testContext())
            #expect(response.statusCode == 405)
            #expect(response.headers?["Allow"] == "POST")
        }
    }

    @Test func refusesAForeignOriginButTakesItsOwn() async throws {
        let foreign = await post(
            #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: ["origin": "https://evil.example"])
        #expect(foreign.statusCode == 403)
        let own = await post(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: ["origin": testPublicURL])
        #expect(own.statusCode == 200)
    }

    @Test func checksAcceptContentTypeAndSize() async throws {
        let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        #expect(await post(ping, headers: ["accept": "text/html"]).statusCode == 406)
        #expect(await post(ping, headers: ["content-type": "text/plain"]).statusCode == 415)
        let padding = String(repeating: " ", count: MCPFunction.bodyLimit)
        #expect(await post(ping + padding).statusCode == 413)
    }

    @Test func answersNotificationsAndResponsesWith202AndNoBody() async throws {
        let notification = await post(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, version: "2025-06-18")
        #expect(notification.statusCode == 202)
        #expect(notification.body == nil)
        let response = await post(#"{"jsonrpc":"2.0","id":"s1","result":{}}"#, version: "2025-06-18")
        #expect(response.statusCode == 202)
    }

    @Test func reportsParseErrorsAndInvalidRequests() async throws {
        let parse = await post("{not json", version: "2025-06-18")
        #expect(parse.statusCode == 400)
        #expect(try error(parse).code == -32700)
        let invalid = await post(#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, version: "2025-06-18")
        #expect(invalid.statusCode == 400)
        #expect(try error(invalid).code == -32600)
    }

    @Test func refusesAnUnknownProtocolVersionListingTheSupportedOnes() async throws {
        let response = await post(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, version: "1999-01-01")
        #expect(response.statusCode == 400)
        let body = try #require(try jsonObject(response)["error"] as? [String: Any])
        #expect(body["code"] as? Int == -32022)
        let supported = (body["data"] as? [String: Any])?["supported"] as? [String]
        #expect(supported == ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"])
    }

    @Test func takesBatchesOnlyIn20250326() async throws {
        let batch = """
            [{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},
             {"jsonrpc":"2.0","id":2,"method":"nope"}]
            """
        let old = await post(batch)
        #expect(old.statusCode == 200)
        let responses = try #require(
            try JSONSerialization.jsonObject(with: Data((old.body ?? "").utf8)) as? [[String: Any]])
        #expect(responses.count == 2)
        #expect((responses[1]["error"] as? [String: Any])?["code"] as? Int == -32601)
        for version in ["2025-06-18", "2025-11-25"] {
            #expect(await post(batch, version: version).statusCode == 400)
        }
    }

    // MARK: - Lifecycle and tools

    @Test func negotiatesTheProtocolVersionInInitialize() async throws {
        for (asked, answered) in [
            ("2025-03-26", "2025-03-26"), ("2025-06-18", "2025-06-18"), ("2025-11-25", "2025-11-25"),
            ("2024-11-05", "2025-11-25"),
        ] {
            let response = await post(
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"\#(asked)","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
            )
            let initialized = try result(response)
            #expect(initialized["protocolVersion"] as? String == answered)
            #expect((initialized["serverInfo"] as? [String: Any])?["name"] as? String == "kloudhub")
            #expect((initialized["instructions"] as? String)?.contains("list_cloud_accounts") == true)
            #expect((initialized["capabilities"] as? [String: Any])?["tools"] != nil)
        }
    }

    @Test func listsToolsWithSchemasForTheVersion() async throws {
        let current = try result(await post(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, version: "2025-11-25"))
        let tools = try #require(current["tools"] as? [[String: Any]])
        #expect(tools.count == ToolCatalog.standard.tools.count + 1)
        for tool in tools {
            #expect(tool["inputSchema"] != nil && tool["outputSchema"] != nil && tool["description"] != nil)
        }
        let old = try result(await post(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#))
        #expect((old["tools"] as? [[String: Any]])?.allSatisfy { $0["outputSchema"] == nil } == true)
        let badCursor = await post(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"zzz"}}"#, version: "2025-11-25")
        #expect(try error(badCursor).code == -32602)
    }

    @Test func callsAToolWithStructuredContentAndText() async throws {
        let called = try result(
            await post(
                #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_cost_summary","arguments":{}}}"#,
                version: "2025-06-18"))
        #expect(called["isError"] as? Bool == false)
        #expect((called["structuredContent"] as? [String: Any])?["total_monthly_cost"] as? String == "199.75")
        let text = try #require((called["content"] as? [[String: Any]])?.first?["text"] as? String)
        #expect(text.contains("199.75"))
    }

    @Test func reportsUnknownToolsAndBadArgumentsAsEachVersionSays() async throws {
        let unknown = await post(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"drop_tables"}}"#, version: "2025-11-25")
        #expect(try error(unknown).code == -32602)
        let badArguments =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_resources","arguments":{"limit":"ten"}}}"#
        let old = await post(badArguments, version: "2025-06-18")
        #expect(try error(old).code == -32602)
        #expect(try error(old).message.contains("limit"))
        let current = try result(await post(badArguments, version: "2025-11-25"))
        #expect(current["isError"] as? Bool == true)
        #expect(((current["content"] as? [[String: Any]])?.first?["text"] as? String)?.contains("limit") == true)
        let missing = try result(
            await post(
                #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_scan","arguments":{"scan_id":"\#(UUID())"}}}"#,
                version: "2025-11-25"))
        #expect(missing["isError"] as? Bool == true)
        #expect(
            try error(await post(#"{"jsonrpc":"2.0","id":1,"method":"resources/list"}"#, version: "2025-11-25")).code
                == -32601)
    }

    // MARK: - 2026-07-28

    func modernHeaders(_ method: String, name: String? = nil) -> [String: String] {
        var headers = ["mcp-method": method]
        if let name { headers["mcp-name"] = name }
        return headers
    }

    let meta =
        #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#

    @Test func discoversTheServerStatelessly() async throws {
        let discovered = try result(
            await post(
                #"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{\#(meta)}}"#, version: "2026-07-28",
                headers: modernHeaders("server/discover")))
        #expect(discovered["resultType"] as? String == "complete")
        #expect((discovered["supportedVersions"] as? [String])?.first == "2026-07-28")
        #expect(discovered["ttlMs"] as? Int != nil)
        let serverInfo = (discovered["_meta"] as? [String: Any])?["io.modelcontextprotocol/serverInfo"]
        #expect((serverInfo as? [String: Any])?["name"] as? String == "kloudhub")
    }

    @Test func callsAToolWithTheModernHeaders() async throws {
        let body =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_cloud_accounts","arguments":{},\#(meta)}}"#
        let called = try result(
            await post(body, version: "2026-07-28", headers: modernHeaders("tools/call", name: "list_cloud_accounts")))
        #expect(called["resultType"] as? String == "complete")
        #expect(((called["structuredContent"] as? [String: Any])?["cloud_accounts"] as? [Any])?.count == 1)
        let encoded = "=?base64?" + Data("list_cloud_accounts".utf8).base64EncodedString() + "?="
        #expect(
            await post(body, version: "2026-07-28", headers: modernHeaders("tools/call", name: encoded)).statusCode
                == 200)
    }

    @Test func refusesHeadersThatDisagreeWithTheBody() async throws {
        let body =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_cloud_accounts","arguments":{},\#(meta)}}"#
        for headers in [
            modernHeaders("tools/list", name: "list_cloud_accounts"), modernHeaders("tools/call"),
            modernHeaders("tools/call", name: "list_resources"),
        ] {
            let response = await post(body, version: "2026-07-28", headers: headers)
            #expect(response.statusCode == 400)
            #expect(try error(response).code == -32020)
        }
        let wrongMeta = await post(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2025-11-25"}}}"#,
            version: "2026-07-28", headers: modernHeaders("tools/list"))
        #expect(try error(wrongMeta).code == -32020)
        let unknown = await post(
            #"{"jsonrpc":"2.0","id":1,"method":"nope/nope","params":{\#(meta)}}"#, version: "2026-07-28",
            headers: modernHeaders("nope/nope"))
        #expect(unknown.statusCode == 404)
        #expect(try error(unknown).code == -32601)
    }
}
