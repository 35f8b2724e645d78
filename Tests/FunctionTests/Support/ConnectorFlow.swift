import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import LoopbackServers

/// A client of KloudHub's authorization server, acting as an MCP connector and a person.
struct ConnectorFlow {
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    let stack: FunctionStack.Running
    let gateway: Gateway
    /// Where this client registers from: a loopback address of its own, as separate clients
    /// would, so that one test's registrations never spend another's budget (20 an hour per
    /// address).
    let registrar: Gateway
    let personEmail: String
    let session: String

    init(stack: FunctionStack.Running, person: String = UUID().uuidString) throws {
        self.stack = stack
        gateway = Gateway(base: stack.gateway)
        registrar = Gateway(base: stack.gateway, sourceAddress: LoopbackSocket.randomSourceAddress())
        personEmail = "\(person.lowercased())@example.com"
        var claims = stack.sessions.claims(lifetime: 600)
        claims["sub"] = "user_\(person)"
        claims["email"] = personEmail
        session = try stack.sessions.token(claims: claims)
    }

    var sessionCookie: [String: String] { ["Cookie": "__session=\(session)"] }
    var sessionBearer: [String: String] { ["Authorization": "Bearer \(session)"] }
    var resource: String { stack.gateway + "/mcp" }

    func register(
        redirect: String = "https://claude.ai/api/mcp/auth_callback", name: String = "Claude",
        authMethod: String = "none"
    ) async throws -> [String: Any] {
        let response = try await registrar.json(
            "POST", "/oauth/register",
            [
                "redirect_uris": [redirect], "client_name": name, "token_endpoint_auth_method": authMethod,
                "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            ])
        guard response.status == 201 else {
            throw FunctionTestFailure("registration: \(response.status) \(response.text)")
        }
        return try response.object()
    }

    func authorizeQuery(
        clientID: String, redirect: String, state: String = "state-123", scope: String = "kloudhub:read",
        extra: [(String, String)] = [], omit: Set<String> = []
    ) -> String {
        let fields: [(String, String)] =
            [
                ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirect),
                ("code_challenge", Self.challenge), ("code_challenge_method", "S256"), ("state", state),
                ("scope", scope),
                ("resource", resource),
            ].filter { !omit.contains($0.0) } + extra
        return "/oauth/authorize?" + FormEncoding.encode(fields)
    }

    /// Shows the consent page to the signed-in person and answers it; the redirect's response.
    func consent(
        clientID: String, redirect: String, scope: String = "kloudhub:read", decision: String = "allow"
    ) async throws -> HTTPResponse {
        let page = try await gateway.send(
            "GET", authorizeQuery(clientID: clientID, redirect: redirect, scope: scope), headers: sessionCookie)
        guard page.status == 200, let csrf = page.cookie("kh_consent") else {
            throw FunctionTestFailure("consent page: \(page.status) \(page.text.prefix(300))")
        }
        let hidden = ConsentForm.hiddenFields(page.text)
        return try await gateway.form(
            "/oauth/authorize", hidden + [("decision", decision)],
            headers: ["Cookie": "__session=\(session); kh_consent=\(csrf)"])
    }

    func code(clientID: String, redirect: String, scope: String = "kloudhub:read") async throws -> String {
        let answer = try await consent(clientID: clientID, redirect: redirect, scope: scope)
        guard answer.status == 303, let code = answer.locationParameters["code"] else {
            throw FunctionTestFailure("consent answer: \(answer.status) \(answer.headers["Location"] ?? "")")
        }
        return code
    }

    func exchange(
        code: String, clientID: String, redirect: String, verifier: String = verifier
    ) async throws -> HTTPResponse {
        try await gateway.form(
            "/oauth/token",
            [
                ("grant_type", "authorization_code"), ("code", code), ("client_id", clientID),
                ("redirect_uri", redirect), ("code_verifier", verifier), ("resource", resource),
            ])
    }

    /// Registers, consents and exchanges: the client id and the token response.
    func connect(scope: String = "kloudhub:read") async throws -> (clientID: String, tokens: [String: Any]) {
        let redirect = "https://claude.ai/api/mcp/auth_callback"
        let clientID = try await register(redirect: redirect)["client_id"] as! String
        let code = try await code(clientID: clientID, redirect: redirect, scope: scope)
        let response = try await exchange(code: code, clientID: clientID, redirect: redirect)
        guard response.status == 200 else { throw FunctionTestFailure("exchange: \(response.text)") }
        return (clientID, try response.object())
    }
}
