import FoundationEssentials

/// A person's API keys and the OAuth connections made on their behalf (PP-keys, PP-revoke,
/// PP-rights). Only hashes are stored; a new key's raw value is returned once.
public struct APIKeyService: Sendable {
    /// An API key as settings list it.
    public struct KeySummary: Codable, Sendable, Equatable {
        public var id: UUID
        public var name: String
        public var displayPrefix: String
        public var scopes: [String]
        public var createdAt: Date
        public var expiresAt: Date?
        public var lastUsedAt: Date?
        public var revokedAt: Date?
    }

    /// The tokens one OAuth client holds for the account.
    public struct ConnectionSummary: Codable, Sendable, Equatable {
        /// Opaque: base64url of the client id, for `DELETE /v1/oauth-connections/{id}`.
        public var id: String
        public var clientID: String
        public var clientName: String
        public var scopes: [String]
        public var createdAt: Date
        public var lastUsedAt: Date?
        public var activeTokens: Int
    }

    /// A key just created: the only time its raw value is seen.
    public struct CreatedKey: Codable, Sendable {
        public var key: String
        public var apiKey: KeySummary
    }

    public static let maximumActiveKeys = 50

    public let database: PostgresClient
    private let now: @Sendable () -> Date

    public init(database: PostgresClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Creates an API key for the account.
    public func create(
        account: UUID, name: String, scopes: Set<Scope>, expiresAt: Date?
    ) throws -> CreatedKey {
        let token = SecretToken.generate(.apiKey)
        let created = now()
        let id = UUID()
        let sortedScopes = scopes.sorted().map(\.rawValue)
        try database.transaction(scopedTo: account) { transaction in
            let active =
                try transaction.query(
                    """
                    select count(*)::int from kloudhub.api_keys
                    where kind = 'api' and revoked_at is null and (expires_at is null or expires_at > \(created))
                    """
                ).first?.decode(Int.self) ?? 0
            guard active < Self.maximumActiveKeys else {
                throw APIError(
                    .conflict, "too_many_keys",
                    "an account may hold \(Self.maximumActiveKeys) active API keys; revoke one first")
            }
            try transaction.execute(
                """
                insert into kloudhub.api_keys
                    (id, account_id, kind, name, key_hash, display_prefix, scopes, created_at, expires_at)
                values (\(id), \(account), 'api', \(name), \(token.hash), \(token.displayPrefix), \(sortedScopes),
                        \(created), \(expiresAt))
                """)
        }
        return CreatedKey(
            key: token.raw,
            apiKey: KeySummary(
                id: id, name: name, displayPrefix: token.displayPrefix, scopes: sortedScopes, createdAt: created,
                expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil))
    }

    /// The account's API keys (revoked ones included until they are purged) and its OAuth
    /// connections, newest first.
    public func list(account: UUID) throws -> (keys: [KeySummary], connections: [ConnectionSummary]) {
        try database.transaction(scopedTo: account) { transaction in
            let keys = try transaction.query(
                """
                select id, name, display_prefix, scopes, created_at, expires_at, last_used_at, revoked_at
                from kloudhub.api_keys where kind = 'api' order by created_at desc, id
                """
            ).map { row in
                let (id, name, prefix, scopes, created, expires, used, revoked) = try row.decode(
                    (UUID, String, String, [String], Date, Date?, Date?, Date?).self)
                return KeySummary(
                    id: id, name: name, displayPrefix: prefix, scopes: scopes, createdAt: created, expiresAt: expires,
                    lastUsedAt: used, revokedAt: revoked)
            }
            let current = now()
            let connections = try transaction.query(
                """
                select k.client_id, coalesce(nullif(c.client_name, ''), k.client_id),
                       array(select distinct scope from kloudhub.api_keys granted, unnest(granted.scopes) scope
                             where granted.client_id = k.client_id and granted.revoked_at is null
                               and granted.kind in ('oauth_access', 'oauth_refresh')
                               and granted.expires_at > \(current) order by scope),
                       min(k.created_at), max(k.last_used_at), count(*)::int
                from kloudhub.api_keys k join kloudhub.oauth_clients c on c.client_id = k.client_id
                where k.kind in ('oauth_access', 'oauth_refresh') and k.revoked_at is null
                  and k.expires_at > \(current)
                group by k.client_id, c.client_name
                order by min(k.created_at) desc
                """
            ).map { row in
                let (clientID, name, scopes, created, used, count) = try row.decode(
                    (String, String, [String], Date, Date?, Int).self)
                return ConnectionSummary(
                    id: Base64URL.encode(Array(clientID.utf8)), clientID: clientID, clientName: name, scopes: scopes,
                    createdAt: created, lastUsedAt: used, activeTokens: count)
            }
            return (keys, connections)
        }
    }

    /// Revokes one API key of the account; false if the account has no such active key.
    public func revokeKey(account: UUID, id: UUID) throws -> Bool {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.api_keys set revoked_at = \(now())
                where id = \(id) and kind = 'api' and revoked_at is null
                """)
        } == 1
    }

    /// Revokes every token the client holds for the account; the number revoked.
    public func revokeConnection(account: UUID, clientID: String) throws -> Int {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.api_keys set revoked_at = \(now())
                where client_id = \(clientID) and kind in ('oauth_access', 'oauth_refresh') and revoked_at is null
                """)
        }
    }
}
