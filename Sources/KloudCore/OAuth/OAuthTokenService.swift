import FoundationEssentials

/// What a person consented to, bound into the authorization code.
public struct AuthorizationGrant: Sendable, Equatable {
    public var accountID: UUID
    public var clientID: String
    public var redirectURI: String
    public var codeChallenge: String
    public var scopes: Set<Scope>
    public var resource: String

    public init(
        accountID: UUID, clientID: String, redirectURI: String, codeChallenge: String, scopes: Set<Scope>,
        resource: String
    ) {
        self.accountID = accountID
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.scopes = scopes
        self.resource = resource
    }
}

/// The token response (RFC 6749 section 5.1).
public struct TokenResponse: Encodable, Sendable {
    public var accessToken: String
    public var tokenType = "Bearer"
    public var expiresIn: Int
    public var refreshToken: String?
    public var scope: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case scope
    }
}

/// Authorization codes and the tokens they lead to (OAuth 2.1; PP-codes, PP-keys, PP-revoke).
///
/// A code is single-use, bound to client, redirect URI, PKCE challenge, scopes, resource and
/// account, stored hashed and valid ten minutes. Redeeming it twice revokes everything it
/// issued; refresh tokens rotate, and presenting a rotated one revokes its whole family. Every
/// token is an `api_keys` row (hashed) carrying the code it descends from and its family.
public struct OAuthTokenService: Sendable {
    public let database: PostgresClient
    public let settings: OAuthSettings
    private let now: @Sendable () -> Date

    public init(database: PostgresClient, settings: OAuthSettings, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.settings = settings
        self.now = now
    }

    // MARK: - Codes

    /// Issues the code for a consented grant; the raw code goes only into the redirect.
    public func issueCode(for grant: AuthorizationGrant) throws -> String {
        let code = SecretToken.generate(.authorizationCode)
        let created = now()
        let expires = created.addingTimeInterval(seconds(settings.codeLifetime))
        try database.transaction(scopedTo: grant.accountID) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.oauth_codes
                    (account_id, code_hash, client_id, redirect_uri, code_challenge, scopes, resource,
                     created_at, expires_at)
                values (\(grant.accountID), \(code.hash), \(grant.clientID), \(grant.redirectURI),
                        \(grant.codeChallenge), \(grant.scopes.map(\.rawValue).sorted()), \(grant.resource),
                        \(created), \(expires))
                """)
        }
        return code.raw
    }

    /// The `authorization_code` grant (RFC 6749 section 4.1.3 with PKCE, RFC 7636 section 4.6).
    public func exchangeCode(
        _ presentedCode: String, client: OAuthClient, redirectURI: String?, verifier: String?, resource: String?
    ) throws -> TokenResponse {
        let invalid = APIError(.badRequest, "invalid_grant", "the authorization code is invalid, expired or used")
        guard SecretToken.kind(of: presentedCode) == .authorizationCode,
            let code = try StoredCode.find(hash: SecretToken.hash(presentedCode), in: database),
            code.clientID == client.clientID, !code.accountIsDeleting
        else { throw invalid }
        if code.consumedAt != nil {
            try revokeDescendants(ofCode: code.id, account: code.accountID)
            throw invalid
        }
        let current = now()
        guard current < code.expiresAt else { throw invalid }
        guard let redirectURI, redirectURI == code.redirectURI else {
            throw APIError(.badRequest, "invalid_grant", "redirect_uri does not match the authorization request")
        }
        guard let verifier, PKCE.verify(verifier: verifier, challenge: code.codeChallenge) else {
            throw APIError(.badRequest, "invalid_grant", "code_verifier does not match the code challenge")
        }
        if let resource, resource != code.resource {
            throw APIError(.badRequest, "invalid_target", "resource does not match the authorization request")
        }
        let issued: TokenResponse? = try database.transaction(scopedTo: code.accountID) { transaction in
            let consumed = try transaction.execute(
                """
                update kloudhub.oauth_codes set consumed_at = \(current)
                where id = \(code.id) and consumed_at is null
                """)
            guard consumed == 1 else { return nil }
            return try issueTokens(
                in: transaction,
                family: TokenFamily(
                    accountID: code.accountID, client: client, familyID: UUID(), parentCodeID: code.id,
                    scopes: code.scopes, resource: code.resource), at: current)
        }
        guard let issued else {
            // Redeemed concurrently: the other redemption is a replay too.
            try revokeDescendants(ofCode: code.id, account: code.accountID)
            throw invalid
        }
        return issued
    }

    // MARK: - Refresh

    /// The `refresh_token` grant with rotation (OAuth 2.1 section 4.3).
    public func refresh(_ presentedToken: String, client: OAuthClient, scope: String?) throws -> TokenResponse {
        let invalid = APIError(.badRequest, "invalid_grant", "the refresh token is invalid, expired or revoked")
        guard SecretToken.kind(of: presentedToken) == .refreshToken,
            let key = try StoredKey.find(hash: SecretToken.hash(presentedToken), in: database),
            key.kind == "oauth_refresh", key.clientID == client.clientID, let familyID = key.familyID,
            !key.accountIsDeleting
        else { throw invalid }
        if key.revokedAt != nil {
            try revokeFamily(familyID, account: key.accountID)
            throw invalid
        }
        let current = now()
        guard let expiry = key.expiresAt, current < expiry else { throw invalid }
        var scopes = key.scopes
        if let scope {
            guard let requested = Scope.parseList(scope), requested.isSubset(of: key.scopes), !requested.isEmpty else {
                throw APIError(.badRequest, "invalid_scope", "the scope asked for exceeds what was granted")
            }
            scopes = requested
        }
        let issued: TokenResponse? = try database.transaction(scopedTo: key.accountID) { transaction in
            let rotated = try transaction.query(
                """
                update kloudhub.api_keys set revoked_at = \(current)
                where id = \(key.id) and revoked_at is null
                returning parent_code_id
                """)
            guard let row = rotated.first else { return nil }
            return try issueTokens(
                in: transaction,
                family: TokenFamily(
                    accountID: key.accountID, client: client, familyID: familyID,
                    parentCodeID: try row.decode(UUID?.self), scopes: scopes, resource: key.resource ?? ""),
                at: current)
        }
        guard let issued else {
            try revokeFamily(familyID, account: key.accountID)
            throw invalid
        }
        return issued
    }

    // MARK: - Revocation

    /// Token revocation (RFC 7009): a refresh token takes its whole family with it. Unknown
    /// tokens and tokens of other clients are answered the same way, so nothing is learned.
    public func revoke(_ presentedToken: String, client: OAuthClient) throws {
        guard let kind = SecretToken.kind(of: presentedToken), kind == .accessToken || kind == .refreshToken,
            let key = try StoredKey.find(hash: SecretToken.hash(presentedToken), in: database),
            key.clientID == client.clientID
        else { return }
        if kind == .refreshToken, let familyID = key.familyID {
            try revokeFamily(familyID, account: key.accountID)
        } else {
            try database.transaction(scopedTo: key.accountID) { transaction in
                try transaction.execute(
                    "update kloudhub.api_keys set revoked_at = \(now()) where id = \(key.id) and revoked_at is null")
            }
        }
    }

    // MARK: - Issuing

    private struct TokenFamily {
        var accountID: UUID
        var client: OAuthClient
        var familyID: UUID
        var parentCodeID: UUID?
        var scopes: Set<Scope>
        var resource: String
    }

    private func issueTokens(
        in transaction: PostgresTransaction, family: TokenFamily, at time: Date
    ) throws -> TokenResponse {
        let access = SecretToken.generate(.accessToken)
        try insert(
            access, family: family, expiresAt: time.addingTimeInterval(seconds(settings.accessTokenLifetime)),
            in: transaction, at: time)
        var refresh: SecretToken?
        if family.client.grantTypes.contains("refresh_token") {
            let token = SecretToken.generate(.refreshToken)
            try insert(
                token, family: family, expiresAt: time.addingTimeInterval(seconds(settings.refreshTokenLifetime)),
                in: transaction, at: time)
            refresh = token
        }
        return TokenResponse(
            accessToken: access.raw, expiresIn: Int(seconds(settings.accessTokenLifetime)), refreshToken: refresh?.raw,
            scope: Scope.list(family.scopes))
    }

    private func insert(
        _ token: SecretToken, family: TokenFamily, expiresAt: Date, in transaction: PostgresTransaction, at time: Date
    ) throws {
        try transaction.execute(
            """
            insert into kloudhub.api_keys
                (account_id, kind, name, key_hash, display_prefix, scopes, client_id, family_id, parent_code_id,
                 resource, created_at, expires_at)
            values (\(family.accountID), \(token.kind.storedKind!), \(String(family.client.displayName.prefix(200))),
                    \(token.hash), \(token.displayPrefix), \(family.scopes.map(\.rawValue).sorted()),
                    \(family.client.clientID), \(family.familyID), \(family.parentCodeID), \(family.resource),
                    \(time), \(expiresAt))
            """)
    }

    private func revokeDescendants(ofCode codeID: UUID, account: UUID) throws {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.api_keys set revoked_at = \(now())
                where parent_code_id = \(codeID) and revoked_at is null
                """)
        }
    }

    private func revokeFamily(_ familyID: UUID, account: UUID) throws {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                "update kloudhub.api_keys set revoked_at = \(now()) where family_id = \(familyID) and revoked_at is null"
            )
        }
    }

    private func seconds(_ duration: Duration) -> TimeInterval { TimeInterval(duration.components.seconds) }
}

/// An authorization code as `find_authorization_code()` returns it: never its hash.
struct StoredCode {
    var id: UUID
    var accountID: UUID
    var clientID: String
    var redirectURI: String
    var codeChallenge: String
    var scopes: Set<Scope>
    var resource: String
    var expiresAt: Date
    var consumedAt: Date?
    var accountIsDeleting: Bool

    static func find(hash: Data, in database: PostgresClient) throws -> StoredCode? {
        let rows = try database.query(
            """
            select id, account_id, client_id, redirect_uri, code_challenge, scopes, coalesce(resource, ''),
                   expires_at, consumed_at, account_status
            from kloudhub.find_authorization_code(\(hash))
            """)
        guard let row = rows.first else { return nil }
        let (id, accountID, clientID, redirectURI, challenge, scopes, resource, expiresAt, consumedAt, status) =
            try row.decode((UUID, UUID, String, String, String, [String], String, Date, Date?, String).self)
        return StoredCode(
            id: id, accountID: accountID, clientID: clientID, redirectURI: redirectURI, codeChallenge: challenge,
            scopes: Set(scopes.compactMap(Scope.init(rawValue:))), resource: resource, expiresAt: expiresAt,
            consumedAt: consumedAt, accountIsDeleting: status != "active")
    }
}
