import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// The authorize function through the emulator: metadata, registration, the authorization
/// endpoint and its consent page, as MCP clients and browsers meet them.
@Suite struct AuthorizationServerTests {
    @Test func metadataDocumentsAgreeWithEachOtherAndTheMCPEndpoint() async throws {
        let stack = try await FunctionStack.shared.running()
        let gateway = Gateway(base: stack.gateway)
        let server = try await gateway.send("GET", "/.well-known/oauth-authorization-server").object()
        let resource = try await gateway.send("GET", "/.well-known/oauth-protected-resource/mcp").object()
        let rootResource = try await gateway.send("GET", "/.well-known/oauth-protected-resource").object()
        #expect(server["issuer"] as? String == stack.gateway)
        #expect((resource["authorization_servers"] as? [String]) == [stack.gateway])
        #expect(resource["resource"] as? String == stack.gateway + "/mcp")
        #expect(NSDictionary(dictionary: rootResource).isEqual(to: resource))
        #expect(server["code_challenge_methods_supported"] as? [String] == ["S256"])
        #expect((server["token_endpoint_auth_methods_supported"] as? [String])?.contains("none") == true)
        #expect(server["authorization_response_iss_parameter_supported"] as? Bool == true)
        #expect(server["revocation_endpoint"] as? String == stack.gateway + "/oauth/revoke")
        #expect(server["scopes_supported"] as? [String] == ["kloudhub:read", "kloudhub:write"])
        for endpoint in ["authorization_endpoint", "token_endpoint", "registration_endpoint"] {
            #expect((server[endpoint] as? String)?.hasPrefix(stack.gateway + "/oauth/") == true)
        }
    }

    @Test func registersPublicAndConfidentialClientsAndTheirRealCallbacks() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        for callback in [
            "https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback",
            "https://chatgpt.com/connector/oauth/abc123", "http://127.0.0.1:33418/callback",
            "http://localhost:6274/oauth/callback",
        ] {
            let client = try await flow.register(redirect: callback)
            #expect(client["token_endpoint_auth_method"] as? String == "none")
            #expect(client["client_secret"] == nil)
            #expect(client["redirect_uris"] as? [String] == [callback])
        }
        let response = try await flow.gateway.json("POST", "/register", ["redirect_uris": ["https://app.example/cb"]])
        let confidential = try response.object()
        #expect(response.status == 201)
        #expect(confidential["token_endpoint_auth_method"] as? String == "client_secret_basic")
        #expect((confidential["client_secret"] as? String)?.hasPrefix("khs_") == true)
    }

    @Test(arguments: [
        (#"{"redirect_uris":["http://app.example/cb"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["https://app.example/cb#frag"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":[]}"#, "invalid_redirect_uri"),
        (#"{"client_name":"no redirects"}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":"https://app.example/cb"}"#, "invalid_client_metadata"),
        (
            #"{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}"#,
            "invalid_client_metadata"
        ),
        (#"{"redirect_uris":["https://app.example/cb"],"grant_types":["implicit"]}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"client_name":42}"#, "invalid_client_metadata"),
        ("not json", "invalid_client_metadata"),
    ])
    func refusesBadRegistrationsAsTheRFCDefines(body: String, error: String) async throws {
        let gateway = Gateway(base: try await FunctionStack.shared.running().gateway)
        let response = try await gateway.send(
            "POST", "/oauth/register", headers: ["Content-Type": "application/json"], body: body)
        #expect(response.status == 400)
        #expect(try response.object()["error"] as? String == error)
    }

    @Test func anUnknownClientOrWrongRedirectGetsAPageNeverARedirect() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let redirect = "https://claude.ai/api/mcp/auth_callback"
        let clientID = try await flow.register(redirect: redirect)["client_id"] as! String
        for query in [
            flow.authorizeQuery(clientID: "kc_unknown", redirect: redirect),
            flow.authorizeQuery(clientID: clientID, redirect: redirect + "/"),
            flow.authorizeQuery(clientID: clientID, redirect: "https://claude.ai/api/mcp/auth_callbacK"),
            flow.authorizeQuery(clientID: clientID, redirect: "https://evil.example/cb"),
        ] {
            let response = try await flow.gateway.send("GET", query, headers: flow.sessionCookie)
            #expect(response.status == 400)
            #expect(response.headers["Location"] == nil)
            #expect(response.headers["Content-Type"]?.hasPrefix("text/html") == true)
        }
    }

    @Test(arguments: [
        ("plain", "invalid_request"), ("missing-challenge", "invalid_request"), ("resource", "invalid_target"),
        ("scope", "invalid_scope"), ("response_type", "unsupported_response_type"),
    ])
    func problemsAfterTheRedirectIsTrustedGoBackToTheClient(problem: String, error: String) async throws {
        let stack = try await FunctionStack.shared.running()
        let flow = try ConnectorFlow(stack: stack)
        let redirect = "https://claude.ai/api/mcp/auth_callback"
        let clientID = try await flow.register(redirect: redirect)["client_id"] as! String
        var query = flow.authorizeQuery(clientID: clientID, redirect: redirect)
        switch problem {
        case "plain": query = query.replacing("code_challenge_method=S256", with: "code_challenge_method=plain")
        case "missing-challenge":
            query = flow.authorizeQuery(clientID: clientID, redirect: redirect, omit: ["code_challenge"])
        case "resource":
            query = query.replacing(FormEncoding.escape(flow.resource), with: "https%3A%2F%2Fevil.example%2Fmcp")
        case "scope": query = flow.authorizeQuery(clientID: clientID, redirect: redirect, scope: "kloudhub:admin")
        default: query = query.replacing("response_type=code", with: "response_type=token")
        }
        let response = try await flow.gateway.send("GET", query, headers: flow.sessionCookie)
        #expect(response.status == 302)
        #expect(response.headers["Location"]?.hasPrefix(redirect + "?") == true)
        #expect(response.locationParameters["error"] == error)
        #expect(response.locationParameters["state"] == "state-123")
        #expect(response.locationParameters["iss"] == stack.gateway)
    }

    @Test func aPersonNotSignedInIsSentToSignInAndBack() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let redirect = "https://claude.ai/api/mcp/auth_callback"
        let clientID = try await flow.register(redirect: redirect)["client_id"] as! String
        let query = flow.authorizeQuery(clientID: clientID, redirect: redirect)
        for headers in [[:], ["Cookie": "__session=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."]] {
            let response = try await flow.gateway.send("GET", query, headers: headers)
            #expect(response.status == 302)
            #expect(response.headers["Location"]?.hasPrefix("https://accounts.kloudhub.test/sign-in?") == true)
            #expect(response.locationParameters["redirect_url"] == flow.stack.gateway + query)
        }
    }

    @Test func theConsentPageEscapesTheClientAndCannotBeFramed() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let redirect = "https://claude.ai/api/mcp/auth_callback"
        let clientID =
            try await flow.register(redirect: redirect, name: #"<script>alert("x")</script> Evil"#)["client_id"]
            as! String
        let page = try await flow.gateway.send(
            "GET", flow.authorizeQuery(clientID: clientID, redirect: redirect, scope: "kloudhub:read kloudhub:write"),
            headers: flow.sessionCookie)
        #expect(page.status == 200)
        #expect(!page.text.contains("<script>"))
        #expect(page.text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Evil"))
        #expect(page.text.contains("claude.ai"))
        #expect(page.text.contains(Scope.write.summary))
        #expect(page.headers["Content-Security-Policy"]?.contains("frame-ancestors 'none'") == true)
        #expect(page.headers["X-Frame-Options"] == "DENY")
        #expect(page.headers.values(named: "Set-Cookie").first?.contains("SameSite=Strict") == true)
    }

    /// Browsers hold the redirect that answers the consent form to `form-action`: with `'self'`
    /// alone, Chromium blocks the 303 to the client and the person is left on the consent page.
    @Test(arguments: [
        ("https://claude.ai/api/mcp/auth_callback", "https://claude.ai"),
        ("http://127.0.0.1:53682/callback", "http://127.0.0.1:53682"),
    ])
    func theConsentFormMaySendThePersonOnToTheClientsOriginOnly(redirect: String, origin: String) async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let clientID = try await flow.register(redirect: redirect)["client_id"] as! String
        let page = try await flow.gateway.send(
            "GET", flow.authorizeQuery(clientID: clientID, redirect: redirect), headers: flow.sessionCookie)
        #expect(page.status == 200)
        #expect(page.headers["Content-Security-Policy"]?.contains("form-action 'self' \(origin);") == true)
    }

    @Test func consentWithoutTheBrowsersCookieIsRefused() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let redirect = "https://claude.ai/api/mcp/auth_callback"
        let clientID = try await flow.register(redirect: redirect)["client_id"] as! String
        let page = try await flow.gateway.send(
            "GET", flow.authorizeQuery(clientID: clientID, redirect: redirect), headers: flow.sessionCookie)
        let forged = try await flow.gateway.form(
            "/oauth/authorize", ConsentForm.hiddenFields(page.text) + [("decision", "allow")],
            headers: flow.sessionCookie)
        #expect(forged.status == 403)
        #expect(forged.headers["Location"] == nil)
    }

    @Test func denyingSendsAccessDeniedWithStateAndIssuer() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let redirect = "https://chatgpt.com/connector/oauth/xyz"
        let clientID = try await flow.register(redirect: redirect)["client_id"] as! String
        let answer = try await flow.consent(clientID: clientID, redirect: redirect, decision: "deny")
        #expect(answer.status == 303)
        #expect(answer.locationParameters["error"] == "access_denied")
        #expect(answer.locationParameters["state"] == "state-123")
        #expect(answer.locationParameters["iss"] == flow.stack.gateway)
        #expect(answer.locationParameters["code"] == nil)
    }

    @Test func allowingSendsASingleUseCodeWithStateAndIssuer() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let redirect = "https://claude.com/api/mcp/auth_callback"
        let clientID = try await flow.register(redirect: redirect)["client_id"] as! String
        let answer = try await flow.consent(clientID: clientID, redirect: redirect)
        #expect(answer.status == 303)
        #expect(answer.headers["Location"]?.hasPrefix(redirect + "?code=khc_") == true)
        #expect(answer.locationParameters["state"] == "state-123")
        #expect(answer.locationParameters["iss"] == flow.stack.gateway)
    }
}

/// Clients known by a Client ID Metadata Document (MCP 2025-11-25), served here from loopback
/// http, which only the tests' environment allows the authorize function to fetch.
@Suite struct ClientMetadataDocumentFlowTests {
    @Test func aClientIDURLIsFetchedAndItsRedirectURIsGovern() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let redirect = "http://127.0.0.1:8765/callback"
        let documents = try LoopbackHTTPServer { request in
            let document =
                #"{"client_id":"CLIENT","client_name":"Metadata Client","redirect_uris":["\#(redirect)"],"#
                + #""grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}"#
            let port = request.headers["host"]?.split(separator: ":").last ?? ""
            let body = document.replacing("CLIENT", with: "http://127.0.0.1:\(port)\(request.path)")
            return .response(
                status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "max-age=60")],
                body: Array(body.utf8))
        }
        let clientID = documents.url + "/oauth/client.json"
        let page = try await flow.gateway.send(
            "GET", flow.authorizeQuery(clientID: clientID, redirect: redirect), headers: flow.sessionCookie)
        #expect(page.status == 200)
        #expect(page.text.contains("Metadata Client"))
        let elsewhere = try await flow.gateway.send(
            "GET", flow.authorizeQuery(clientID: clientID, redirect: "https://evil.example/cb"),
            headers: flow.sessionCookie)
        #expect(elsewhere.status == 400 && elsewhere.headers["Location"] == nil)
        let code = try await flow.code(clientID: clientID, redirect: redirect)
        let tokens = try await flow.exchange(code: code, clientID: clientID, redirect: redirect)
        #expect(tokens.status == 200)
        #expect(try tokens.object()["refresh_token"] as? String != nil)
        #expect(documents.requests.count == 1, "the document is cached by its Cache-Control")
    }

    @Test func aClientIDURLOnAPrivateAddressIsNeverFetched() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let page = try await flow.gateway.send(
            "GET",
            flow.authorizeQuery(clientID: "https://169.254.169.254/latest/meta-data", redirect: "https://x.example/cb"),
            headers: flow.sessionCookie)
        #expect(page.status == 400)
        #expect(page.headers["Location"] == nil)
    }
}
