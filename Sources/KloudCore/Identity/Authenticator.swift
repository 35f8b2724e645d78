import FoundationEssentials
import LambdaRuntime
import Synchronization

/// Who is calling, as one verified credential says.
public struct Caller: Sendable, Equatable {
    /// The credential that proved it.
    public enum Credential: Sendable, Equatable {
        case apiKey(id: UUID)
        case oauthAccessToken(id: UUID, clientID: String, familyID: UUID)
        case clerkSession(userID: String)
    }

    public var accountID: UUID
    public var scopes: Set<Scope>
    public var credential: Credential

    /// Throws 403 `insufficient_scope` unless the caller holds `scope`.
    public func require(_ scope: Scope) throws(AuthenticationError) {
        guard scopes.contains(scope) else { throw .insufficientScope(scope) }
    }
}

/// Why a request is not authenticated, and how to say so (RFC 6750 section 3).
public enum AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No credential at all.
    case missing
    /// A credential that is unknown, expired, revoked, malformed or for another audience.
    case invalidToken(String)
    /// A credential in the URL, two credentials, or an Authorization header that is not Bearer.
    case invalidRequest(String)
    case insufficientScope(Scope)
    /// A credential of a kind the endpoint does not take (an API key where only a signed-in
    /// session may act, say): the message says which it takes.
    case notAccepted(String)
    /// The credential could not be checked (the database is unreachable).
    case unavailable

    public var description: String {
        switch self {
        case .missing: "no credential"
        case .invalidToken(let reason): "invalid token: \(reason)"
        case .invalidRequest(let reason): "invalid request: \(reason)"
        case .insufficientScope(let scope): "needs scope \(scope.rawValue)"
        case .notAccepted(let message): "not accepted: \(message)"
        case .unavailable: "authentication is unavailable"
        }
    }

    /// The response: 401, 400 or 403 with `WWW-Authenticate`; `resourceMetadata` is the
    /// protected-resource metadata URL that tells an OAuth client where to get a token.
    public func response(resourceMetadata: String? = nil) -> APIGatewayV2Response {
        var parameters = ["realm=\"kloudhub\""]
        let status: HTTPStatus
        let code: String
        let message: String
        switch self {
        case .missing:
            status = .unauthorized
            code = "unauthorized"
            message = "sign in, or send an API key or OAuth access token as Authorization: Bearer"
        case .invalidToken:
            status = .unauthorized
            code = "invalid_token"
            message = "the credential is unknown, expired or revoked"
        case .notAccepted(let reason):
            status = .unauthorized
            code = "invalid_token"
            message = reason
        case .invalidRequest(let reason):
            status = .badRequest
            code = "invalid_request"
            message = reason
        case .insufficientScope(let scope):
            status = .forbidden
            code = "insufficient_scope"
            message = "this needs the \(scope.rawValue) scope"
            parameters.append("scope=\"\(scope.rawValue)\"")
        case .unavailable:
            return APIError.temporarilyUnavailable.response
        }
        if self != .missing {
            parameters.append("error=\"\(code)\"")
            parameters.append("error_description=\"\(message.replacing("\"", with: "'"))\"")
        }
        if let resourceMetadata { parameters.append("resource_metadata=\"\(resourceMetadata)\"") }
        return APIError(
            status, code, message, headers: ["WWW-Authenticate": "Bearer " + parameters.joined(separator: ", ")]
        ).response
    }
}

/// The one authenticator every function uses: `Authorization: Bearer` resolved to an API key,
/// an OAuth access token or a Clerk session (which may also come in the `__session` cookie),
/// giving the account and its scopes (DESIGN.md section 7; PP-keys, PP-mcp-auth, PP-revoke).
public final class Authenticator: Sendable {
    /// Which credentials an endpoint takes.
    public struct Policy: Sendable {
        public var acceptsAPIKeys: Bool
        /// OAuth access tokens are taken only for this resource (their audience); nil takes none.
        public var oauthResource: String?
        public var acceptsClerkSessions: Bool

        public init(acceptsAPIKeys: Bool, oauthResource: String?, acceptsClerkSessions: Bool) {
            self.acceptsAPIKeys = acceptsAPIKeys
            self.oauthResource = oauthResource
            self.acceptsClerkSessions = acceptsClerkSessions
        }

        /// A person's own endpoints (settings): their Clerk session only.
        public static let signedInPerson = Policy(
            acceptsAPIKeys: false, oauthResource: nil, acceptsClerkSessions: true)
        /// The REST API: a Clerk session or an API key.
        public static let restAPI = Policy(acceptsAPIKeys: true, oauthResource: nil, acceptsClerkSessions: true)

        /// What the endpoint takes, as the refusal of another kind of credential says it.
        var accepted: String {
            var kinds: [String] = []
            if acceptsClerkSessions { kinds.append("a signed-in session") }
            if acceptsAPIKeys { kinds.append("an API key") }
            if oauthResource != nil { kinds.append("an OAuth access token") }
            return kinds.count < 2 ? kinds.joined() : kinds.dropLast().joined(separator: ", ") + " or " + kinds.last!
        }

        /// The refusal of a credential of kind `presented` (an API key, a browser session...).
        func refusal(of presented: String) -> AuthenticationError {
            .notAccepted("this endpoint takes \(accepted); \(presented) is not accepted here")
        }
    }

    /// `last_used_at` is written at most this often per key.
    static let lastUsedInterval: TimeInterval = 60
    /// Query parameters that carry credentials in other APIs; refused in any URL (PP-mcp-auth),
    /// as is any value shaped like one of KloudHub's keys or a JWT, whatever its name.
    static let credentialParameters: Set<String> = [
        "access_token", "api_key", "apikey", "bearer", "__session", "refresh_token", "id_token", "client_secret",
    ]

    public let database: PostgresClient
    public let clerk: ClerkSessionVerifier?
    private let now: @Sendable () -> Date
    private let lastUsedWrites = Mutex<[UUID: Date]>([:])

    public init(
        database: PostgresClient, clerk: ClerkSessionVerifier?, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.clerk = clerk
        self.now = now
    }

    /// The caller of `request`, or why there is none.
    public func authenticate(_ request: APIGatewayV2Request, policy: Policy) async throws(AuthenticationError) -> Caller
    {
        try refuseCredentialsInURL(request)
        let bearer = try bearerToken(request)
        let session = request.cookie(named: "__session")
        guard let presented = bearer ?? session else { throw .missing }
        if bearer == nil, !policy.acceptsClerkSessions { throw policy.refusal(of: "a signed-in session") }
        if let kind = SecretToken.kind(of: presented) {
            return try authenticateKey(presented, kind: kind, policy: policy)
        }
        guard JSONWebToken.looksLikeToken(presented) else { throw .invalidToken("not a KloudHub credential") }
        guard policy.acceptsClerkSessions else { throw policy.refusal(of: "a signed-in session") }
        return try await authenticateSession(token: presented)
    }

    /// The Clerk session a request presents (`Authorization: Bearer` or the `__session` cookie),
    /// verified, without finding, creating or refusing its account: for the endpoints that must
    /// still answer a person whose account is being deleted.
    public func verifiedClerkSession(_ request: APIGatewayV2Request) async throws(AuthenticationError) -> ClerkSession {
        try refuseCredentialsInURL(request)
        guard let presented = try bearerToken(request) ?? request.cookie(named: "__session") else { throw .missing }
        if let kind = SecretToken.kind(of: presented) { throw Policy.signedInPerson.refusal(of: kind.description) }
        guard let clerk, JSONWebToken.looksLikeToken(presented) else {
            throw .invalidToken("not a KloudHub credential")
        }
        do {
            return try await clerk.verify(presented)
        } catch {
            throw .invalidToken(error.description)
        }
    }

    private func refuseCredentialsInURL(_ request: APIGatewayV2Request) throws(AuthenticationError) {
        for item in request.queryItems {
            if Self.credentialParameters.contains(item.name.lowercased()) || SecretToken.kind(of: item.value) != nil
                || JSONWebToken.looksLikeToken(item.value)
            {
                throw .invalidRequest("credentials must be sent in the Authorization header, never in the URL")
            }
        }
    }

    private func bearerToken(_ request: APIGatewayV2Request) throws(AuthenticationError) -> String? {
        guard let header = request.header("authorization") else { return nil }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .invalidRequest("the Authorization header must be: Bearer <token>")
        }
        return String(parts[1])
    }

    // MARK: - Keys and OAuth tokens

    private func authenticateKey(
        _ presented: String, kind: SecretToken.Kind, policy: Policy
    ) throws(AuthenticationError) -> Caller {
        switch kind {
        case .apiKey where policy.acceptsAPIKeys, .accessToken where policy.oauthResource != nil: break
        default: throw policy.refusal(of: kind.description)
        }
        let key: StoredKey
        do {
            guard let found = try StoredKey.find(hash: SecretToken.hash(presented), in: database) else {
                throw AuthenticationError.invalidToken("unknown key")
            }
            key = found
        } catch let error as AuthenticationError {
            throw error
        } catch {
            throw .unavailable
        }
        let current = now()
        guard key.kind == kind.storedKind else { throw .invalidToken("unknown key") }
        guard key.revokedAt == nil else { throw .invalidToken("revoked") }
        if let expiry = key.expiresAt, expiry <= current { throw .invalidToken("expired") }
        guard !key.accountIsDeleting else { throw .invalidToken("the account is being deleted") }
        let credential: Caller.Credential
        if kind == .accessToken {
            guard key.resource == policy.oauthResource, let clientID = key.clientID, let familyID = key.familyID else {
                throw .invalidToken("the token is for another resource")
            }
            credential = .oauthAccessToken(id: key.id, clientID: clientID, familyID: familyID)
        } else {
            credential = .apiKey(id: key.id)
        }
        recordUse(of: key, at: current)
        RequestAttribution.note(accountID: key.accountID)
        return Caller(accountID: key.accountID, scopes: key.scopes, credential: credential)
    }

    /// Writes `last_used_at` at most once a minute per key: the instance remembers its own
    /// writes, and the statement's condition covers the other instances.
    private func recordUse(of key: StoredKey, at time: Date) {
        let isDue = lastUsedWrites.withLock { writes in
            if let last = writes[key.id], time.timeIntervalSince(last) < Self.lastUsedInterval { return false }
            if writes.count > 10_000 { writes.removeAll() }
            writes[key.id] = time
            return true
        }
        guard isDue else { return }
        let threshold = time.addingTimeInterval(-Self.lastUsedInterval)
        _ = try? database.transaction(scopedTo: key.accountID) { transaction in
            try transaction.execute(
                """
                update kloudhub.api_keys set last_used_at = \(time)
                where id = \(key.id) and (last_used_at is null or last_used_at < \(threshold))
                """)
        }
    }

    // MARK: - Clerk sessions

    /// The person a Clerk session token proves, their account created or updated from it.
    public func authenticateSession(token: String) async throws(AuthenticationError) -> Caller {
        guard let clerk else { throw .invalidToken("sign-in is not configured") }
        let session: ClerkSession
        do {
            session = try await clerk.verify(token)
        } catch {
            throw .invalidToken(error.description)
        }
        let entry: AccountDirectory.Entry
        do {
            entry = try AccountDirectory(database: database).upsert(
                clerkUserID: session.userID, email: session.email, name: session.name)
        } catch AccountDirectory.Failure.erased {
            throw .invalidToken("the account was deleted")
        } catch is AccountDirectory.Failure {
            throw .invalidToken("the session token lacks the email claim KloudHub needs")
        } catch {
            throw .unavailable
        }
        guard !entry.isDeleting else { throw .invalidToken("the account is being deleted") }
        RequestAttribution.note(accountID: entry.id)
        return Caller(
            accountID: entry.id, scopes: Set(Scope.allCases), credential: .clerkSession(userID: session.userID))
    }
}

/// A key (API key or OAuth token) as `find_api_key()` returns it: never its hash.
struct StoredKey {
    var id: UUID
    var accountID: UUID
    var kind: String
    var scopes: Set<Scope>
    var clientID: String?
    var familyID: UUID?
    var resource: String?
    var expiresAt: Date?
    var revokedAt: Date?
    var accountIsDeleting: Bool

    static func find(hash: Data, in database: PostgresClient) throws -> StoredKey? {
        let rows = try database.read(
            """
            select id, account_id, kind, scopes, client_id, family_id, resource, expires_at, revoked_at, account_status
            from kloudhub.find_api_key(\(hash))
            """)
        guard let row = rows.first else { return nil }
        let (id, accountID, kind, scopes, clientID, familyID, resource, expiresAt, revokedAt, status) =
            try row.decode((UUID, UUID, String, [String], String?, UUID?, String?, Date?, Date?, String).self)
        return StoredKey(
            id: id, accountID: accountID, kind: kind, scopes: Set(scopes.compactMap(Scope.init(rawValue:))),
            clientID: clientID, familyID: familyID, resource: resource, expiresAt: expiresAt, revokedAt: revokedAt,
            accountIsDeleting: status != "active")
    }
}
