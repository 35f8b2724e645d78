import Foundation
import KloudCore
import Testing

/// The token function through the emulator: the code exchange and its attacks, refresh
/// rotation, revocation, and the errors exactly as RFC 6749 names them.
@Suite struct TokenEndpointTests {
    static let redirect = "https://claude.ai/api/mcp/auth_callback"

    func connected() async throws -> (flow: ConnectorFlow, clientID: String, code: String) {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let clientID = try await flow.register(redirect: Self.redirect)["client_id"] as! String
        return (flow, clientID, try await flow.code(clientID: clientID, redirect: Self.redirect))
    }

    func error(_ response: HTTPResponse) throws -> String? { try response.object()["error"] as? String }

    @Test func exchangesACodeOnceAndAReplayRevokesTheTokens() async throws {
        let (flow, clientID, code) = try await connected()
        let first = try await flow.exchange(code: code, clientID: clientID, redirect: Self.redirect)
        #expect(first.status == 200)
        #expect(first.headers["Cache-Control"] == "no-store")
        let tokens = try first.object()
        #expect(tokens["token_type"] as? String == "Bearer")
        #expect(tokens["expires_in"] as? Int == 3600)
        #expect((tokens["access_token"] as? String)?.hasPrefix("kha_") == true)
        #expect((tokens["refresh_token"] as? String)?.hasPrefix("khr_") == true)
        let replay = try await flow.exchange(code: code, clientID: clientID, redirect: Self.redirect)
        #expect(replay.status == 400)
        #expect(try error(replay) == "invalid_grant")
        let refresh = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"] as! String),
                ("client_id", clientID),
            ])
        #expect(try error(refresh) == "invalid_grant", "the replay revoked what the code issued")
    }

    @Test func attacksOnTheCodeAreRefusedAndIssueNothing() async throws {
        let (flow, clientID, code) = try await connected()
        let other = try await flow.register(redirect: Self.redirect)["client_id"] as! String
        let wrongVerifier = try await flow.exchange(
            code: code, clientID: clientID, redirect: Self.redirect, verifier: String(repeating: "a", count: 43))
        #expect(try error(wrongVerifier) == "invalid_grant")
        let trailingSlash = try await flow.exchange(code: code, clientID: clientID, redirect: Self.redirect + "/")
        #expect(try error(trailingSlash) == "invalid_grant")
        let otherClient = try await flow.exchange(code: code, clientID: other, redirect: Self.redirect)
        #expect(try error(otherClient) == "invalid_grant")
        let unknownClient = try await flow.exchange(code: code, clientID: "kc_nobody", redirect: Self.redirect)
        #expect(unknownClient.status == 401)
        #expect(try error(unknownClient) == "invalid_client")
        let noVerifier = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "authorization_code"), ("code", code), ("client_id", clientID),
                ("redirect_uri", Self.redirect),
            ])
        #expect(try error(noVerifier) == "invalid_grant")
        let forged = try await flow.exchange(
            code: SecretToken.generate(.authorizationCode).raw, clientID: clientID, redirect: Self.redirect)
        #expect(try error(forged) == "invalid_grant")
        // None of that consumed the code.
        #expect(try await flow.exchange(code: code, clientID: clientID, redirect: Self.redirect).status == 200)
    }

    @Test func malformedRequestsGetTheRFCsErrors() async throws {
        let (flow, clientID, _) = try await connected()
        let unsupported = try await flow.gateway.form("/token", [("grant_type", "password"), ("client_id", clientID)])
        #expect(try error(unsupported) == "unsupported_grant_type")
        let noGrant = try await flow.gateway.form("/oauth/token", [("client_id", clientID)])
        #expect(try error(noGrant) == "invalid_request")
        let json = try await flow.gateway.json("POST", "/oauth/token", ["grant_type": "authorization_code"])
        #expect(try error(json) == "invalid_request")
        let repeated = try await flow.gateway.send(
            "POST", "/oauth/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: "grant_type=refresh_token&grant_type=authorization_code&client_id=\(clientID)")
        #expect(try error(repeated) == "invalid_request")
        #expect(repeated.headers["Cache-Control"] == "no-store")
        let badScope = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "refresh_token"), ("refresh_token", "khr_x"), ("client_id", clientID),
                ("resource", "https://evil.example"),
            ])
        #expect(try error(badScope) == "invalid_target")
    }

    @Test func refreshRotatesAndReuseRevokesTheFamily() async throws {
        let (flow, clientID, code) = try await connected()
        let tokens = try await flow.exchange(code: code, clientID: clientID, redirect: Self.redirect).object()
        let firstRefresh = tokens["refresh_token"] as! String
        let rotated = try await flow.gateway.form(
            "/oauth/token", [("grant_type", "refresh_token"), ("refresh_token", firstRefresh), ("client_id", clientID)])
        #expect(rotated.status == 200)
        let second = try rotated.object()
        #expect(second["refresh_token"] as? String != firstRefresh)
        let reuse = try await flow.gateway.form(
            "/oauth/token", [("grant_type", "refresh_token"), ("refresh_token", firstRefresh), ("client_id", clientID)])
        #expect(try error(reuse) == "invalid_grant")
        let afterReuse = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "refresh_token"), ("refresh_token", second["refresh_token"] as! String),
                ("client_id", clientID),
            ])
        #expect(try error(afterReuse) == "invalid_grant", "the whole family was revoked")
    }

    @Test func revocationAnswers200AndEndsTheGrant() async throws {
        let (flow, clientID, code) = try await connected()
        let tokens = try await flow.exchange(code: code, clientID: clientID, redirect: Self.redirect).object()
        let unknown = try await flow.gateway.form("/oauth/revoke", [("token", "kha_nothing"), ("client_id", clientID)])
        #expect(unknown.status == 200)
        let revoked = try await flow.gateway.form(
            "/revoke",
            [
                ("token", tokens["refresh_token"] as! String), ("token_type_hint", "refresh_token"),
                ("client_id", clientID),
            ])
        #expect(revoked.status == 200)
        let refresh = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"] as! String),
                ("client_id", clientID),
            ])
        #expect(try error(refresh) == "invalid_grant")
    }

    @Test func aConfidentialClientMustProveItsSecret() async throws {
        let flow = try ConnectorFlow(stack: try await FunctionStack.shared.running())
        let client = try await flow.register(redirect: Self.redirect, authMethod: "client_secret_basic")
        let clientID = client["client_id"] as! String
        let secret = client["client_secret"] as! String
        let code = try await flow.code(clientID: clientID, redirect: Self.redirect)
        let fields = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirect),
            ("code_verifier", ConnectorFlow.verifier),
        ]
        let wrong = Data("\(clientID):wrong".utf8).base64EncodedString()
        let refused = try await flow.gateway.form("/oauth/token", fields, headers: ["Authorization": "Basic \(wrong)"])
        #expect(refused.status == 401)
        #expect(try error(refused) == "invalid_client")
        #expect(refused.headers["WWW-Authenticate"]?.hasPrefix("Basic") == true)
        let right = Data("\(clientID):\(secret)".utf8).base64EncodedString()
        let accepted = try await flow.gateway.form("/oauth/token", fields, headers: ["Authorization": "Basic \(right)"])
        #expect(accepted.status == 200)
    }
}
