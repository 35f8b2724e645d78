import Foundation
import KloudCore
import KloudTestSupport
import Testing

@Suite(.database) struct AuthenticatorTests {
    let database: PostgresClient
    let clock = TestClock()
    let keys: APIKeyService
    let authenticator: Authenticator
    let account: UUID
    let tokens: TestSessionTokens

    init() throws {
        database = try TestDatabase.required().client(as: .api)
        keys = APIKeyService(database: database, now: clock.now)
        tokens = try TestSessionTokens()
        authenticator = Authenticator(
            database: database, clerk: try ClerkSessionVerifier(configuration: tokens.configuration()), now: clock.now)
        account = try AccountDirectory(database: database).upsert(
            clerkUserID: "user_" + UUID().uuidString, email: "grace@example.com", name: "Grace"
        ).id
    }

    func authenticate(_ headers: [String: String], query: String = "", cookies: [String]? = nil) async throws -> Caller
    {
        try await authenticator.authenticate(
            TestRequests.request(query: query, headers: headers, cookies: cookies), policy: .restAPI)
    }

    func lastUsed(_ id: UUID) throws -> Date? {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.query("select last_used_at from kloudhub.api_keys where id = \(id)").first?.decode(
                Date?.self)
        } ?? nil
    }

    @Test func anAPIKeyAuthenticatesWithItsScopesUntilRevoked() async throws {
        let created = try keys.create(account: account, name: "CI", scopes: [.read], expiresAt: nil)
        let caller = try await authenticate(["authorization": "Bearer \(created.key)"])
        #expect(caller.accountID == account && caller.scopes == [.read])
        #expect(throws: AuthenticationError.insufficientScope(.write)) { try caller.require(.write) }
        #expect(try keys.revokeKey(account: account, id: created.apiKey.id))
        await #expect(throws: AuthenticationError.invalidToken("revoked")) {
            try await authenticate(["authorization": "Bearer \(created.key)"])
        }
    }

    @Test func expiredAndUnknownKeysAreRefused() async throws {
        let created = try keys.create(
            account: account, name: "short", scopes: [.read], expiresAt: clock.now().addingTimeInterval(60))
        _ = try await authenticate(["authorization": "Bearer \(created.key)"])
        clock.advance(by: 61)
        await #expect(throws: AuthenticationError.invalidToken("expired")) {
            try await authenticate(["authorization": "Bearer \(created.key)"])
        }
        await #expect(throws: AuthenticationError.invalidToken("unknown key")) {
            try await authenticate(["authorization": "Bearer \(SecretToken.generate(.apiKey).raw)"])
        }
    }

    @Test func lastUsedIsWrittenAtMostOnceAMinute() async throws {
        let created = try keys.create(account: account, name: "usage", scopes: [.read], expiresAt: nil)
        let header = ["authorization": "Bearer \(created.key)"]
        let start = clock.now()
        _ = try await authenticate(header)
        let first = try #require(try lastUsed(created.apiKey.id))
        #expect(abs(first.timeIntervalSince(start)) < 0.001)
        clock.advance(by: 30)
        _ = try await authenticate(header)
        #expect(try lastUsed(created.apiKey.id) == first)
        clock.advance(by: 31)
        _ = try await authenticate(header)
        #expect(try lastUsed(created.apiKey.id)! > first)
    }

    @Test(arguments: [
        "access_token=abc", "api_key=abc", "x=khk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "client_secret=1",
        "page=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2ln",
    ])
    func credentialsInTheQueryStringAreRefused(query: String) async throws {
        let created = try keys.create(account: account, name: "url", scopes: [.read], expiresAt: nil)
        await #expect(throws: AuthenticationError.self) {
            try await authenticate(["authorization": "Bearer \(created.key)"], query: query)
        }
        let refused = await #expect(throws: AuthenticationError.self) { try await authenticate([:], query: query) }
        if case .invalidRequest = refused {
        } else {
            Issue.record("expected invalid_request, got \(String(describing: refused))")
        }
    }

    @Test func aClerkSessionInTheHeaderOrCookieCreatesAndUpdatesTheAccount() async throws {
        var claims = tokens.claims()
        claims["sub"] = "user_new_person"
        claims["email"] = "new@example.com"
        let caller = try await authenticate(["authorization": "Bearer \(try tokens.token(claims: claims))"])
        #expect(caller.credential == .clerkSession(userID: "user_new_person"))
        #expect(caller.scopes == Set(Scope.allCases))
        claims["email"] = "renamed@example.com"
        let again = try await authenticate([:], cookies: ["__session=\(try tokens.token(claims: claims))"])
        #expect(again.accountID == caller.accountID)
        let email = try database.transaction(scopedTo: caller.accountID) { transaction in
            try transaction.query("select email from kloudhub.accounts").first?.decode(String.self)
        }
        #expect(email == "renamed@example.com")
    }

    @Test func ordinaryQueryParametersAreNotMistakenForCredentials() async throws {
        let created = try keys.create(account: account, name: "paging", scopes: [.read], expiresAt: nil)
        let caller = try await authenticate(["authorization": "Bearer \(created.key)"], query: "token=next&key=region")
        #expect(caller.accountID == account)
    }

    @Test func malformedHeadersAndMissingCredentialsAreRefusedClearly() async throws {
        await #expect(throws: AuthenticationError.missing) { try await authenticate([:]) }
        await #expect(throws: AuthenticationError.invalidRequest("the Authorization header must be: Bearer <token>")) {
            try await authenticate(["authorization": "Basic abc"])
        }
        await #expect(throws: AuthenticationError.self) { try await authenticate(["authorization": "Bearer garbage"]) }
        let response = AuthenticationError.missing.response(resourceMetadata: "https://x/.well-known/r")
        #expect(response.statusCode == 401)
        #expect(
            response.headers?["WWW-Authenticate"]
                == #"Bearer realm="kloudhub", resource_metadata="https://x/.well-known/r""#)
    }

    @Test func anAccountBeingDeletedIsRefusedAtOnce() async throws {
        let directory = AccountDirectory(database: database)
        let userID = "user_" + UUID().uuidString
        let doomed = try directory.upsert(clerkUserID: userID, email: "bye@example.com", name: "Bye").id
        let created = try keys.create(account: doomed, name: "k", scopes: [.read], expiresAt: nil)
        _ = try await authenticate(["authorization": "Bearer \(created.key)"])
        #expect(try directory.requestDeletion(clerkUserID: userID) == doomed)
        await #expect(throws: AuthenticationError.invalidToken("the account is being deleted")) {
            try await authenticate(["authorization": "Bearer \(created.key)"])
        }
        #expect(throws: PostgresError.self) {
            try database.transaction(scopedTo: doomed) { transaction in
                try transaction.execute(
                    "update kloudhub.accounts set status = 'active', deletion_requested_at = null where id = \(doomed)")
            }
        }
    }
}
