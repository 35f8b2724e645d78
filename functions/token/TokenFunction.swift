import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The token function: OAuth's token and revocation endpoints, and the settings endpoints
/// where a person manages API keys and OAuth connections (DESIGN.md section 7).
struct TokenFunction: APIFunction {
    let settings: OAuthSettings
    let authenticator: Authenticator
    let tokens: OAuthTokenService
    let clients: ClientStore
    let keys: APIKeyService
    let requestLog: RequestLog?

    static func live(environment: [String: String]) async throws -> TokenFunction {
        var reader = EnvironmentReader(environment)
        return try await live(configuration: TokenConfiguration(reading: &reader))
    }

    static func live(configuration: TokenConfiguration) async throws -> TokenFunction {
        let http = HTTPClient(configuration: configuration.platform.http)
        let (database, requestLog) = try await configuration.platform.openDatabase(httpClient: http)
        let clerk = try configuration.clerk.map { try ClerkSessionVerifier(configuration: $0, httpClient: http) }
        return TokenFunction(
            settings: configuration.oauth, authenticator: Authenticator(database: database, clerk: clerk),
            tokens: OAuthTokenService(database: database, settings: configuration.oauth),
            clients: ClientStore(database: database), keys: APIKeyService(database: database), requestLog: requestLog)
    }

    func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
        switch request.routeKey {
        case "POST /oauth/token", "POST /token": return try token(request)
        case "POST /oauth/revoke", "POST /revoke": return try revoke(request)
        case "GET /v1/account": return try await account(request)
        case "GET /v1/api-keys": return try await listKeys(request)
        case "POST /v1/api-keys": return try await createKey(request)
        case "DELETE /v1/api-keys/{id}": return try await revokeKey(request)
        case "DELETE /v1/oauth-connections/{id}": return try await revokeConnection(request)
        default: throw APIError.unknownRoute(request)
        }
    }

    // MARK: - OAuth

    /// RFC 6749 section 5: every answer of the token endpoint is uncacheable.
    private static let tokenHeaders = ["Cache-Control": "no-store", "Pragma": "no-cache"]

    private func token(_ request: APIGatewayV2Request) throws -> APIGatewayV2Response {
        do {
            let fields = try request.formFields()
            let client = try ClientAuthentication.authenticate(request, fields: fields, clients: clients)
            let response: TokenResponse
            switch fields["grant_type"] {
            case "authorization_code":
                guard client.grantTypes.contains("authorization_code") else { throw unauthorizedClient }
                guard let code = fields["code"] else { throw missing("code") }
                response = try tokens.exchangeCode(
                    code, client: client, redirectURI: fields["redirect_uri"], verifier: fields["code_verifier"],
                    resource: fields["resource"])
            case "refresh_token":
                guard client.grantTypes.contains("refresh_token") else { throw unauthorizedClient }
                guard let refreshToken = fields["refresh_token"] else { throw missing("refresh_token") }
                if let resource = fields["resource"], resource != settings.mcpResource {
                    throw APIError(.badRequest, "invalid_target", "resource must be \(settings.mcpResource)")
                }
                response = try tokens.refresh(refreshToken, client: client, scope: fields["scope"])
            case nil:
                throw missing("grant_type")
            case let other?:
                throw APIError(
                    .badRequest, "unsupported_grant_type", "grant_type \(other.prefix(100)) is not supported")
            }
            try? clients.touch(client.clientID, at: Date())
            return APIResponse.json(.ok, response, headers: Self.tokenHeaders)
        } catch var error as APIError {
            error.headers.merge(Self.tokenHeaders) { given, _ in given }
            throw error
        }
    }

    private var unauthorizedClient: APIError {
        APIError(.badRequest, "unauthorized_client", "this client is not registered for that grant type")
    }

    private func missing(_ field: String) -> APIError {
        APIError(.badRequest, "invalid_request", "\(field) is required")
    }

    /// RFC 7009: 200 whether or not the token was known.
    private func revoke(_ request: APIGatewayV2Request) throws -> APIGatewayV2Response {
        let fields = try request.formFields()
        let client = try ClientAuthentication.authenticate(request, fields: fields, clients: clients)
        guard let token = fields["token"] else { throw missing("token") }
        try tokens.revoke(token, client: client)
        return APIGatewayV2Response(statusCode: 200, headers: Self.tokenHeaders)
    }

    // MARK: - Account and keys

    private struct AccountView: Encodable {
        var id: UUID
        var credential: String
        var scopes: [String]
    }

    private func account(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .restAPI)
        let kind =
            switch caller.credential {
            case .apiKey: "api_key"
            case .oauthAccessToken: "oauth_access_token"
            case .clerkSession: "session"
            }
        return APIResponse.json(
            .ok, AccountView(id: caller.accountID, credential: kind, scopes: caller.scopes.sorted().map(\.rawValue)))
    }

    private struct KeyList: Encodable {
        var apiKeys: [APIKeyService.KeySummary]
        var oauthConnections: [APIKeyService.ConnectionSummary]
    }

    private func listKeys(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .signedInPerson)
        let listed = try keys.list(account: caller.accountID)
        return APIResponse.json(.ok, KeyList(apiKeys: listed.keys, oauthConnections: listed.connections))
    }

    private struct NewKeyBody: Decodable {
        var name: String
        var scopes: [String]?
        var expiresAt: Date?
    }

    private func createKey(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .signedInPerson)
        let body = try request.jsonBody(NewKeyBody.self, limit: 4096)
        let name = body.name.trimmingASCIIWhitespace()
        guard (1...200).contains(name.count) else {
            throw APIError(.badRequest, "invalid_request", "name must be 1 to 200 characters")
        }
        var scopes: Set<Scope> = [.read]
        if let names = body.scopes {
            let parsed = names.compactMap(Scope.init(rawValue:))
            guard parsed.count == names.count, !parsed.isEmpty else {
                throw APIError(
                    .badRequest, "invalid_request",
                    "scopes must list one or more of \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes = Set(parsed)
        }
        if let expiry = body.expiresAt, expiry <= Date() {
            throw APIError(.badRequest, "invalid_request", "expiresAt must be in the future")
        }
        let created = try keys.create(account: caller.accountID, name: name, scopes: scopes, expiresAt: body.expiresAt)
        return APIResponse.json(.created, created)
    }

    private func revokeKey(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .signedInPerson)
        guard let id = request.pathParameters?["id"].flatMap(UUID.init(uuidString:)),
            try keys.revokeKey(account: caller.accountID, id: id)
        else { throw APIError(.notFound, "not_found", "no active API key with that id") }
        return APIGatewayV2Response(statusCode: 204, headers: APIResponse.baseHeaders)
    }

    private func revokeConnection(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .signedInPerson)
        guard let bytes = request.pathParameters?["id"].flatMap(Base64URL.decode),
            let clientID = String(validating: bytes, as: UTF8.self),
            try keys.revokeConnection(account: caller.accountID, clientID: clientID) > 0
        else { throw APIError(.notFound, "not_found", "no active OAuth connection with that id") }
        return APIGatewayV2Response(statusCode: 204, headers: APIResponse.baseHeaders)
    }
}
