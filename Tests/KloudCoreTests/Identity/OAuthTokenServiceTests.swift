import Foundation
import KloudCore
import KloudTestSupport
import LambdaRuntime
import Testing

/// The code and token lifecycle against a real database, with a clock the test moves.
@Suite(.database) struct OAuthTokenServiceTests {
    static let redirect = "https://claude.ai/api/mcp/auth_callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    let database: PostgresClient
    let settings: OAuthSettings
    let clock = TestClock()
    let service: OAuthTokenService
    let authenticator: Authenticator
    let clients: ClientStore
    let account: UUID

    init() throws {
        database = try TestDatabase.required().client(as: .api)
        settings = try OAuthSettings(publicURL: "https://api.kloudhub.test")
        service = OAuthTokenService(database: database, settings: settings, now: clock.now)
        authenticator = Authenticator(database: database, clerk: nil, now: clock.now)
        clients = ClientStore(database: database)
        account = try AccountDirectory(database: database).upsert(
            clerkUserID: "user_" + UUID().uuidString, email: "ada@example.com", name: "Ada"
        ).id
    }

    func registerClient(name: String = "Claude") throws -> OAuthClient {
        let body =
            #"{"redirect_uris":["\#(Self.redirect)"],"token_endpoint_auth_method":"none","#
            + #""grant_types":["authorization_code","refresh_token"],"client_name":"\#(name)"}"#
        let registered = try clients.register(
            try ClientRegistrationRequest(json: Array(body.utf8)), within: .ofUnusedSource(), now: clock.now())
        return try #require(try clients.find(registered.clientID))
    }

    func code(for client: OAuthClient, scopes: Set<Scope> = [.read]) throws -> String {
        try service.issueCode(
            for: AuthorizationGrant(
                accountID: account, clientID: client.clientID, redirectURI: Self.redirect,
                codeChallenge: Self.challenge, scopes: scopes, resource: settings.mcpResource))
    }

    func exchange(
        _ code: String, client: OAuthClient, redirect: String = redirect, verifier: String = verifier
    )
        throws -> TokenResponse
    {
        try service.exchangeCode(
            code, client: client, redirectURI: redirect, verifier: verifier, resource: settings.mcpResource)
    }

    /// Authenticates `token` at the MCP resource; the error code if refused.
    func check(_ token: String) async -> String? {
        let request = TestRequests.request(headers: ["authorization": "Bearer \(token)"])
        let policy = Authenticator.Policy(
            acceptsAPIKeys: true, oauthResource: settings.mcpResource, acceptsClerkSessions: false)
        do {
            _ = try await authenticator.authenticate(request, policy: policy)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func grantError(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as APIError {
            return error.code
        } catch {
            return "\(error)"
        }
    }

    @Test func exchangesACodeOnceForTokensBoundToTheResource() async throws {
        let client = try registerClient()
        let tokens = try exchange(try code(for: client, scopes: [.read, .write]), client: client)
        #expect(tokens.tokenType == "Bearer" && tokens.expiresIn == 3600)
        #expect(tokens.scope == "kloudhub:read kloudhub:write")
        #expect(await check(tokens.accessToken) == nil)
        #expect(await check(try #require(tokens.refreshToken)) != nil, "a refresh token is not a bearer credential")
        let elsewhere = Authenticator.Policy(acceptsAPIKeys: true, oauthResource: nil, acceptsClerkSessions: false)
        await #expect(throws: AuthenticationError.self) {
            try await authenticator.authenticate(
                TestRequests.request(headers: ["authorization": "Bearer \(tokens.accessToken)"]), policy: elsewhere)
        }
    }

    @Test func aReusedCodeIsRefusedAndRevokesWhatItIssued() async throws {
        let client = try registerClient()
        let issued = try code(for: client)
        let tokens = try exchange(issued, client: client)
        #expect(grantError { _ = try exchange(issued, client: client) } == "invalid_grant")
        #expect(await check(tokens.accessToken) != nil)
        #expect(
            grantError { _ = try service.refresh(tokens.refreshToken!, client: client, scope: nil) } == "invalid_grant")
    }

    @Test func refusesAWrongVerifierRedirectOrClientWithoutConsumingTheCode() throws {
        let client = try registerClient()
        let other = try registerClient(name: "Other")
        let issued = try code(for: client)
        #expect(
            grantError { _ = try exchange(issued, client: client, verifier: String(repeating: "x", count: 43)) }
                == "invalid_grant")
        #expect(
            grantError { _ = try exchange(issued, client: client, redirect: Self.redirect + "/") } == "invalid_grant")
        #expect(
            grantError { _ = try exchange(issued, client: client, redirect: "https://claude.ai/api/mcp/auth_callbacK") }
                == "invalid_grant")
        #expect(grantError { _ = try exchange(issued, client: other) } == "invalid_grant")
        #expect(
            grantError {
                _ = try service.exchangeCode(
                    issued, client: client, redirectURI: Self.redirect, verifier: Self.verifier,
                    resource: "https://evil.example/mcp")
            } == "invalid_target")
        _ = try exchange(issued, client: client)
    }

    @Test func aCodeOlderThanTenMinutesIsRefused() throws {
        let client = try registerClient()
        let issued = try code(for: client)
        clock.advance(by: 601)
        #expect(grantError { _ = try exchange(issued, client: client) } == "invalid_grant")
    }

    @Test func refreshRotatesAndAReusedRefreshTokenRevokesTheFamily() async throws {
        let client = try registerClient()
        let first = try exchange(try code(for: client, scopes: [.read, .write]), client: client)
        let second = try service.refresh(first.refreshToken!, client: client, scope: nil)
        #expect(second.refreshToken != first.refreshToken)
        #expect(await check(second.accessToken) == nil)
        let narrowed = try service.refresh(second.refreshToken!, client: client, scope: "kloudhub:read")
        #expect(narrowed.scope == "kloudhub:read")
        #expect(
            grantError {
                _ = try service.refresh(narrowed.refreshToken!, client: client, scope: "kloudhub:write kloudhub:admin")
            }
                == "invalid_scope")
        // The rotated token comes back: the whole family is revoked.
        #expect(
            grantError { _ = try service.refresh(first.refreshToken!, client: client, scope: nil) } == "invalid_grant")
        #expect(await check(narrowed.accessToken) != nil)
        #expect(
            grantError { _ = try service.refresh(narrowed.refreshToken!, client: client, scope: nil) }
                == "invalid_grant")
    }

    @Test func refreshTokensOfAnotherClientOrExpiredAreRefused() throws {
        let client = try registerClient()
        let other = try registerClient(name: "Other")
        let tokens = try exchange(try code(for: client), client: client)
        #expect(
            grantError { _ = try service.refresh(tokens.refreshToken!, client: other, scope: nil) } == "invalid_grant")
        clock.advance(by: 31 * 24 * 3600)
        #expect(
            grantError { _ = try service.refresh(tokens.refreshToken!, client: client, scope: nil) } == "invalid_grant")
    }

    @Test func accessTokensExpireAfterAnHour() async throws {
        let client = try registerClient()
        let tokens = try exchange(try code(for: client), client: client)
        clock.advance(by: 3601)
        #expect(await check(tokens.accessToken) != nil)
    }

    @Test func revocationTakesTheFamilyAndIgnoresUnknownAndForeignTokens() async throws {
        let client = try registerClient()
        let other = try registerClient(name: "Other")
        let tokens = try exchange(try code(for: client), client: client)
        try service.revoke("kha_unknown", client: client)
        try service.revoke(tokens.refreshToken!, client: other)
        #expect(await check(tokens.accessToken) == nil, "another client's revocation changes nothing")
        try service.revoke(tokens.refreshToken!, client: client)
        #expect(await check(tokens.accessToken) != nil)
    }
}

/// Requests as API Gateway would deliver them.
enum TestRequests {
    static func request(
        method: String = "GET", path: String = "/mcp", query: String = "", headers: [String: String] = [:],
        cookies: [String]? = nil
    ) -> APIGatewayV2Request {
        APIGatewayV2Request(
            routeKey: "\(method) \(path)", rawPath: path, rawQueryString: query, cookies: cookies, headers: headers,
            queryStringParameters: nil, pathParameters: nil,
            requestContext: .init(
                accountId: "000000000000", apiId: "local", domainName: "localhost", domainPrefix: "localhost",
                http: .init(method: method, path: path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test"),
                requestId: UUID().uuidString, routeKey: "\(method) \(path)", stage: "$default", time: "",
                timeEpoch: 0),
            body: nil, isBase64Encoded: false)
    }
}
