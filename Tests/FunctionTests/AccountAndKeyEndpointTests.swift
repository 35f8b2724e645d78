import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// A person's keys and connections, the authenticator as every function uses it, and Clerk's
/// webhooks, through the emulator.
@Suite struct AccountAndKeyEndpointTests {
    @Test func aPersonCreatesListsAndRevokesAnAPIKeyThatStopsWorkingAtOnce() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let created = try await flow.gateway.json(
            "POST", "/v1/api-keys", ["name": "CI pipeline", "scopes": ["kloudhub:read"]], headers: flow.sessionBearer)
        #expect(created.status == 201)
        let body = try created.object()
        let key = try #require(body["key"] as? String)
        let summary = try #require(body["apiKey"] as? [String: Any])
        #expect(key.hasPrefix("khk_") && summary["displayPrefix"] as? String == String(key.prefix(12)))
        let me = try await flow.gateway.send("GET", "/v1/account", headers: ["Authorization": "Bearer \(key)"])
        #expect(try me.object()["credential"] as? String == "api_key")
        let listed = try await flow.gateway.send("GET", "/v1/api-keys", headers: flow.sessionCookie)
        #expect(!listed.text.contains(key), "the raw key is shown once")
        let keys = try #require(try listed.object()["apiKeys"] as? [[String: Any]])
        #expect(keys.count == 1 && keys[0]["name"] as? String == "CI pipeline")
        #expect(keys[0]["lastUsedAt"] as? String != nil)
        let revoke = try await flow.gateway.send(
            "DELETE", "/v1/api-keys/\(summary["id"] as! String)", headers: flow.sessionBearer)
        #expect(revoke.status == 204)
        let after = try await flow.gateway.send("GET", "/v1/account", headers: ["Authorization": "Bearer \(key)"])
        #expect(after.status == 401)
        #expect(after.headers["WWW-Authenticate"]?.contains(#"error="invalid_token""#) == true)
        let again = try await flow.gateway.send(
            "DELETE", "/v1/api-keys/\(summary["id"] as! String)", headers: flow.sessionBearer)
        #expect(again.status == 404)
    }

    @Test func keyManagementNeedsThePersonNotAKeyAndValidInput() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let key =
            try await flow.gateway.json("POST", "/v1/api-keys", ["name": "k"], headers: flow.sessionBearer)
            .object()["key"] as! String
        let byKey = try await flow.gateway.json(
            "POST", "/v1/api-keys", ["name": "escalate"], headers: ["Authorization": "Bearer \(key)"])
        #expect(byKey.status == 401)
        for (body, message) in [
            (["name": ""] as [String: Any], "name"), (["name": 5], "name"), (["scopes": ["kloudhub:read"]], "name"),
            (["name": "x", "scopes": ["admin"]], "scopes"),
            (["name": "x", "expiresAt": "2001-01-01T00:00:00Z"], "expiresAt"),
        ] {
            let response = try await flow.gateway.json("POST", "/v1/api-keys", body, headers: flow.sessionBearer)
            #expect(response.status == 400)
            #expect((try response.object()["error_description"] as? String)?.contains(message) == true)
        }
        let malformed = try await flow.gateway.send(
            "POST", "/v1/api-keys", headers: flow.sessionBearer.merging(["Content-Type": "application/json"]) { $1 },
            body: "{")
        #expect(malformed.status == 400)
        let listed = try await flow.gateway.send("GET", "/v1/api-keys", headers: flow.sessionBearer).object()
        #expect((listed["apiKeys"] as? [Any])?.count == 1, "nothing refused was created")
    }

    @Test func oauthConnectionsAreListedAndRevokedWithAllTheirTokens() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let (clientID, tokens) = try await flow.connect(scope: "kloudhub:read kloudhub:write")
        let listed = try await flow.gateway.send("GET", "/v1/api-keys", headers: flow.sessionCookie).object()
        let connections = try #require(listed["oauthConnections"] as? [[String: Any]])
        #expect(connections.count == 1)
        #expect(connections[0]["clientName"] as? String == "Claude")
        #expect(connections[0]["scopes"] as? [String] == ["kloudhub:read", "kloudhub:write"])
        let id = try #require(connections[0]["id"] as? String)
        let revoked = try await flow.gateway.send("DELETE", "/v1/oauth-connections/\(id)", headers: flow.sessionBearer)
        #expect(revoked.status == 204)
        let refresh = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"] as! String),
                ("client_id", clientID),
            ])
        #expect(refresh.status == 400)
        let emptied = try await flow.gateway.send("GET", "/v1/api-keys", headers: flow.sessionCookie).object()
        #expect((emptied["oauthConnections"] as? [Any])?.isEmpty == true)
    }

    @Test func theAuthenticatorRefusesForgedSessionsAndURLCredentials() async throws {
        let stack = try await FunctionStack.shared.running()
        let flow = try ConnectorFlow(stack: stack)
        let gateway = flow.gateway
        #expect(try await gateway.send("GET", "/v1/account", headers: flow.sessionBearer).status == 200)
        let none =
            try TestSessionTokens.part(["alg": "none"]) + "." + TestSessionTokens.part(stack.sessions.claims()) + "."
        var attacks = [none, try stack.sessions.hmacConfusionToken(), try TestSessionTokens().token()]
        var claims = stack.sessions.claims()
        claims["exp"] = Int(Date().timeIntervalSince1970) - 3600
        attacks.append(try stack.sessions.token(claims: claims))
        claims = stack.sessions.claims()
        claims["iss"] = "https://clerk.evil.example"
        attacks.append(try stack.sessions.token(claims: claims))
        claims = stack.sessions.claims()
        claims["azp"] = "https://evil.example"
        attacks.append(try stack.sessions.token(claims: claims))
        for token in attacks {
            let response = try await gateway.send("GET", "/v1/account", headers: ["Authorization": "Bearer \(token)"])
            #expect(response.status == 401)
        }
        let key =
            try await gateway.json("POST", "/v1/api-keys", ["name": "url"], headers: flow.sessionBearer)
            .object()["key"] as! String
        let inURL = try await gateway.send("GET", "/v1/account?access_token=\(key)")
        #expect(inURL.status == 400)
        #expect(inURL.headers["WWW-Authenticate"]?.contains(#"error="invalid_request""#) == true)
        let missing = try await gateway.send("GET", "/v1/account")
        #expect(missing.status == 401)
        #expect(missing.headers["WWW-Authenticate"]?.hasPrefix("Bearer realm=") == true)
    }

    @Test func clerkWebhooksSaveAccountsAndADeletionEndsAccessAtOnce() async throws {
        let stack = try await FunctionStack.shared.running()
        let flow = try ConnectorFlow(stack: stack)
        let gateway = flow.gateway
        let verifier = try WebhookVerifier(secret: stack.webhookSecret)
        let userID = "user_webhook_\(UUID().uuidString.prefix(8))"
        func send(
            _ type: String, timestamp: Int64 = Int64(Date().timeIntervalSince1970), tamper: Bool = false
        )
            async throws -> HTTPResponse
        {
            let event: [String: Any] = [
                "type": type, "object": "event",
                "data": [
                    "id": userID, "first_name": "Hedy", "last_name": "Lamarr", "primary_email_address_id": "idn_1",
                    "email_addresses": [["id": "idn_1", "email_address": "hedy@example.com"]],
                ],
            ]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
            let messageID = "msg_\(UUID().uuidString)"
            let signature = verifier.signature(id: messageID, timestamp: timestamp, body: Array(body.utf8))
            return try await gateway.send(
                "POST", "/webhooks/clerk",
                headers: [
                    "Content-Type": "application/json", "svix-id": messageID, "svix-timestamp": String(timestamp),
                    "svix-signature": signature,
                ], body: tamper ? body.replacing("Hedy", with: "Eve") : body)
        }
        #expect(try await send("user.created", tamper: true).status == 401)
        #expect(try await send("user.created", timestamp: Int64(Date().timeIntervalSince1970) - 600).status == 401)
        let created = try await send("user.created")
        #expect(try created.object()["action"] as? String == "account_saved")
        let owner = stack.database.client(as: .maintenance)
        let name = try owner.query("select name from kloudhub.accounts where clerk_user_id = \(userID)").first?
            .decode(String.self)
        #expect(name == "Hedy Lamarr")
        var claims = stack.sessions.claims()
        claims["sub"] = userID
        claims["email"] = "hedy@example.com"
        let session = ["Authorization": "Bearer \(try stack.sessions.token(claims: claims))"]
        let key =
            try await gateway.json("POST", "/v1/api-keys", ["name": "before"], headers: session)
            .object()["key"] as! String
        #expect(try await send("user.deleted").status == 200)
        #expect(try await gateway.send("GET", "/v1/account", headers: ["Authorization": "Bearer \(key)"]).status == 401)
        #expect(try await gateway.send("GET", "/v1/account", headers: session).status == 401)
        #expect(try await send("user.deleted").status == 200, "a redelivered webhook changes nothing")
    }
}
