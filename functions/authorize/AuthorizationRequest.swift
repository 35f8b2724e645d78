import FoundationEssentials
import KloudCore

/// An authorization request (OAuth 2.1 section 4.1.1), checked in the order that keeps a bad
/// request from becoming an open redirect: the client and its exact redirect URI first (a
/// problem there is shown as a page), then everything else (a problem there goes back to the
/// client as an error redirect).
struct AuthorizationRequest {
    /// Why a request cannot go on.
    enum Problem: Error {
        /// The client or redirect URI cannot be trusted: show a page, never redirect.
        case page(String)
        /// Tell the client, at its verified redirect URI.
        case redirect(to: String, error: String, description: String, state: String?)
    }

    let client: OAuthClient
    let redirectURI: String
    let state: String?
    let codeChallenge: String
    let scopes: Set<Scope>
    let resource: String

    /// The request's parameters, in the form the consent page posts them back.
    var parameters: [(String, String)] {
        var fields = [
            ("client_id", client.clientID), ("redirect_uri", redirectURI), ("response_type", "code"),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"), ("scope", Scope.list(scopes)),
            ("resource", resource),
        ]
        if let state { fields.append(("state", state)) }
        return fields
    }

    static func parse(
        _ items: [(name: String, value: String)], settings: OAuthSettings,
        findClient: (String) async throws -> OAuthClient?
    ) async throws -> AuthorizationRequest {
        var fields: [String: String] = [:]
        var repeated: String?
        for item in items {
            if fields[item.name] != nil { repeated = item.name }
            fields[item.name] = item.value
        }
        guard let clientID = fields["client_id"], !clientID.isEmpty else { throw Problem.page("client_id is missing") }
        guard repeated != "client_id", repeated != "redirect_uri" else {
            throw Problem.page("\(repeated ?? "") is repeated")
        }
        guard let client = try await findClient(clientID) else {
            throw Problem.page("this application is not registered with KloudHub")
        }
        let redirectURI: String
        if let given = fields["redirect_uri"] {
            guard client.redirectURIs.contains(given) else {
                throw Problem.page("the redirect URI is not one this application registered")
            }
            redirectURI = given
        } else {
            guard client.redirectURIs.count == 1 else { throw Problem.page("redirect_uri is missing") }
            redirectURI = client.redirectURIs[0]
        }
        let state = fields["state"]
        func refuse(_ error: String, _ description: String) -> Problem {
            .redirect(to: redirectURI, error: error, description: description, state: state)
        }
        if let repeated { throw refuse("invalid_request", "\(repeated) is repeated") }
        guard fields["response_type"] == "code" else {
            throw refuse("unsupported_response_type", "response_type must be code")
        }
        guard let challenge = fields["code_challenge"] else {
            throw refuse("invalid_request", "code_challenge is required (PKCE with S256)")
        }
        guard fields["code_challenge_method"] == "S256" else {
            throw refuse("invalid_request", "code_challenge_method must be S256")
        }
        guard PKCE.isValidChallenge(challenge) else {
            throw refuse("invalid_request", "code_challenge must be 43 base64url characters")
        }
        var scopes: Set<Scope> = [.read]
        if let requested = fields["scope"], !requested.isEmpty {
            guard let parsed = Scope.parseList(requested), !parsed.isEmpty else {
                throw refuse("invalid_scope", "scope may name only \(Scope.list(Scope.allCases))")
            }
            scopes = parsed
        }
        let resource = fields["resource"] ?? settings.mcpResource
        guard resource == settings.mcpResource else {
            throw refuse("invalid_target", "resource must be \(settings.mcpResource)")
        }
        if let state, state.utf8.count > 2048 { throw refuse("invalid_request", "state is too long") }
        return AuthorizationRequest(
            client: client, redirectURI: redirectURI, state: state, codeChallenge: challenge, scopes: scopes,
            resource: resource)
    }

    /// `redirectURI` with the response parameters added to its query (RFC 6749 section 4.1.2,
    /// RFC 9207's `iss`).
    static func redirect(to redirectURI: String, _ parameters: [(String, String)]) -> String {
        let separator = redirectURI.contains("?") ? "&" : "?"
        return redirectURI + separator + FormEncoding.encode(parameters)
    }
}
