import FoundationEssentials
import LambdaRuntime

/// A client of the authorization server: registered dynamically (RFC 7591) or known by its
/// Client ID Metadata Document.
public struct OAuthClient: Sendable, Equatable {
    public enum AuthMethod: String, Sendable, Codable {
        case none
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
    }

    public var clientID: String
    public var clientName: String
    public var redirectURIs: [String]
    public var grantTypes: [String]
    public var authMethod: AuthMethod
    /// Where the client's name links, shown on the consent page when present.
    public var clientURI: String?

    public init(
        clientID: String, clientName: String, redirectURIs: [String], grantTypes: [String], authMethod: AuthMethod,
        clientURI: String?
    ) {
        self.clientID = clientID
        self.clientName = clientName
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.authMethod = authMethod
        self.clientURI = clientURI
    }

    /// The name to show a person: the client's own, else the host of its first redirect URI.
    public var displayName: String {
        if !clientName.isEmpty { return clientName }
        return redirectURIs.first.flatMap { URL(string: $0)?.host } ?? clientID
    }
}

/// What a registration (RFC 7591 section 2) asks for, checked field by field.
public struct ClientRegistrationRequest: Sendable {
    public var redirectURIs: [String]
    public var authMethod: OAuthClient.AuthMethod
    public var grantTypes: [String]
    public var responseTypes: [String]
    public var clientName: String
    public var clientURI: String?
    public var logoURI: String?
    public var scope: String?
    public var softwareID: String?
    public var softwareVersion: String?

    /// Reads a registration body; throws the RFC's `invalid_redirect_uri` or
    /// `invalid_client_metadata` naming the field.
    public init(json body: [UInt8]) throws(APIError) {
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            throw APIError(.badRequest, "invalid_client_metadata", "the body must be a JSON object")
        }
        func string(_ name: String, limit: Int = 200) throws(APIError) -> String? {
            guard let value = fields[name], value != .null else { return nil }
            guard let text = value.stringValue, text.utf8.count <= limit else {
                throw APIError(
                    .badRequest, "invalid_client_metadata", "\(name) must be a string of at most \(limit) bytes")
            }
            return text
        }
        func strings(_ name: String) throws(APIError) -> [String]? {
            guard let value = fields[name], value != .null else { return nil }
            guard case .array(let items) = value, items.count <= 20,
                case let texts = items.compactMap(\.stringValue), texts.count == items.count
            else { throw APIError(.badRequest, "invalid_client_metadata", "\(name) must be an array of strings") }
            return texts
        }
        guard let redirects = try strings("redirect_uris"), !redirects.isEmpty else {
            throw APIError(.badRequest, "invalid_redirect_uri", "redirect_uris must list at least one URI")
        }
        if let bad = redirects.first(where: { !RedirectURI.isAcceptable($0) }) {
            throw APIError(
                .badRequest, "invalid_redirect_uri",
                "\(bad.prefix(200)) is not allowed: use https, or http on a loopback host, and no fragment")
        }
        redirectURIs = redirects
        // RFC 7591's default is client_secret_basic.
        let method = try string("token_endpoint_auth_method") ?? OAuthClient.AuthMethod.clientSecretBasic.rawValue
        guard let authMethod = OAuthClient.AuthMethod(rawValue: method) else {
            throw APIError(
                .badRequest, "invalid_client_metadata",
                "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post")
        }
        self.authMethod = authMethod
        grantTypes = try strings("grant_types") ?? ["authorization_code"]
        guard !grantTypes.isEmpty, grantTypes.allSatisfy({ $0 == "authorization_code" || $0 == "refresh_token" }),
            grantTypes.contains("authorization_code")
        else {
            throw APIError(
                .badRequest, "invalid_client_metadata", "grant_types must be authorization_code and refresh_token")
        }
        responseTypes = try strings("response_types") ?? ["code"]
        guard responseTypes == ["code"] else {
            throw APIError(.badRequest, "invalid_client_metadata", "response_types must be [\"code\"]")
        }
        clientName = try string("client_name") ?? ""
        clientURI = try string("client_uri", limit: 2048)
        if let clientURI, !(URL(string: clientURI)?.scheme == "https") {
            throw APIError(.badRequest, "invalid_client_metadata", "client_uri must be an https URL")
        }
        logoURI = try string("logo_uri", limit: 2048)
        scope = try string("scope", limit: 1000)
        if let scope, Scope.parseList(scope) == nil {
            throw APIError(.badRequest, "invalid_client_metadata", "scope names a scope KloudHub does not have")
        }
        softwareID = try string("software_id")
        softwareVersion = try string("software_version")
    }
}

/// The registration response (RFC 7591 section 3.2.1).
public struct ClientRegistrationResponse: Encodable, Sendable {
    public var clientID: String
    public var clientSecret: String?
    public var clientIDIssuedAt: Int
    public var clientSecretExpiresAt: Int?
    public var redirectURIs: [String]
    public var tokenEndpointAuthMethod: String
    public var grantTypes: [String]
    public var responseTypes: [String]
    public var clientName: String?
    public var clientURI: String?
    public var logoURI: String?
    public var scope: String?
    public var softwareID: String?
    public var softwareVersion: String?

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case clientIDIssuedAt = "client_id_issued_at"
        case clientSecretExpiresAt = "client_secret_expires_at"
        case redirectURIs = "redirect_uris"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method"
        case grantTypes = "grant_types"
        case responseTypes = "response_types"
        case clientName = "client_name"
        case clientURI = "client_uri"
        case logoURI = "logo_uri"
        case scope
        case softwareID = "software_id"
        case softwareVersion = "software_version"
    }
}

/// Clients as the database keeps them (API role: it never reads a client secret's hash).
public struct ClientStore: Sendable {
    public let database: PostgresClient

    public init(database: PostgresClient) {
        self.database = database
    }

    /// Registers a client if `budget` has a registration left, in one transaction with taking
    /// it; a confidential client gets a secret, shown only in this response. Throws a 429
    /// ``APIError`` with `Retry-After` when the budget is spent.
    public func register(
        _ request: ClientRegistrationRequest, within budget: RegistrationBudget, now: Date
    ) throws -> ClientRegistrationResponse {
        let clientID = "kc_" + SecretToken.randomText(bytes: 16)
        let secret = request.authMethod == .none ? nil : SecretToken.generate(.clientSecret).raw
        let secretHash = secret.map { SecretToken.hash($0) }
        let metadata = try PostgresJSON(encoding: [
            "client_uri": request.clientURI, "logo_uri": request.logoURI, "scope": request.scope,
            "software_id": request.softwareID, "software_version": request.softwareVersion,
        ])
        let isRegistered = try database.transaction { transaction in
            guard try budget.take(at: now, in: transaction) else { return false }
            _ = try transaction.execute(
                """
                insert into kloudhub.oauth_clients
                    (client_id, client_name, registration_kind, redirect_uris, grant_types, token_endpoint_auth_method,
                     client_secret_hash, metadata, created_at)
                values (\(clientID), \(request.clientName), 'dynamic', \(request.redirectURIs), \(request.grantTypes),
                        \(request.authMethod.rawValue), \(secretHash), \(metadata), \(now))
                """)
            return true
        }
        guard isRegistered else { throw RegistrationBudget.exhausted(at: now) }
        return ClientRegistrationResponse(
            clientID: clientID, clientSecret: secret, clientIDIssuedAt: Int(now.timeIntervalSince1970),
            clientSecretExpiresAt: secret == nil ? nil : 0, redirectURIs: request.redirectURIs,
            tokenEndpointAuthMethod: request.authMethod.rawValue, grantTypes: request.grantTypes,
            responseTypes: request.responseTypes, clientName: request.clientName.isEmpty ? nil : request.clientName,
            clientURI: request.clientURI, logoURI: request.logoURI, scope: request.scope,
            softwareID: request.softwareID, softwareVersion: request.softwareVersion)
    }

    /// The client with `clientID`, if it is known.
    public func find(_ clientID: String) throws -> OAuthClient? {
        guard (1...512).contains(clientID.utf8.count) else { return nil }
        let rows = try database.query(
            """
            select client_id, client_name, redirect_uris, grant_types, token_endpoint_auth_method,
                   metadata ->> 'client_uri'
            from kloudhub.oauth_clients where client_id = \(clientID)
            """)
        return try rows.first.map { row in
            let (id, name, redirects, grants, method, clientURI) = try row.decode(
                (String, String, [String], [String], String, String?).self)
            return OAuthClient(
                clientID: id, clientName: name, redirectURIs: redirects, grantTypes: grants,
                authMethod: OAuthClient.AuthMethod(rawValue: method) ?? .none, clientURI: clientURI)
        }
    }

    /// Whether `secret` is the secret of confidential client `clientID`.
    public func verifySecret(_ secret: String, of clientID: String) throws -> Bool {
        let rows = try database.query(
            "select kloudhub.verify_client_secret(\(clientID), \(SecretToken.hash(secret)))")
        return try rows.first?.decode(Bool.self) ?? false
    }

    /// A client known by its metadata document whose cached copy is still fresh at `time`.
    public func findFreshMetadataDocumentClient(_ clientID: String, at time: Date) throws -> OAuthClient? {
        let isFresh = try database.query(
            """
            select 1 from kloudhub.oauth_clients
            where client_id = \(clientID) and registration_kind = 'metadata_document' and metadata_expires_at > \(time)
            """)
        return isFresh.isEmpty ? nil : try find(clientID)
    }

    /// Records a client known by its metadata document, as last fetched, until `expiresAt`.
    public func saveMetadataDocumentClient(
        _ client: OAuthClient, metadata: PostgresJSON, fetchedAt: Date, expiresAt: Date
    ) throws {
        try database.execute(
            """
            insert into kloudhub.oauth_clients
                (client_id, client_name, registration_kind, redirect_uris, grant_types, metadata, metadata_fetched_at,
                 metadata_expires_at)
            values (\(client.clientID), \(client.clientName), 'metadata_document', \(client.redirectURIs),
                    \(client.grantTypes), \(metadata), \(fetchedAt), \(expiresAt))
            on conflict (client_id) do update set
                client_name = excluded.client_name, redirect_uris = excluded.redirect_uris,
                grant_types = excluded.grant_types, metadata = excluded.metadata,
                metadata_fetched_at = excluded.metadata_fetched_at, metadata_expires_at = excluded.metadata_expires_at
            where oauth_clients.registration_kind = 'metadata_document'
            """)
    }

    /// Notes that the client was just used.
    public func touch(_ clientID: String, at time: Date) throws {
        try database.execute(
            """
            update kloudhub.oauth_clients set last_used_at = \(time)
            where client_id = \(clientID) and (last_used_at is null or last_used_at < \(time.addingTimeInterval(-60)))
            """)
    }
}
