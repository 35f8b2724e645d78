import Foundation
import KloudCore
import KloudTestSupport
import LambdaRuntime
import Logging
import Testing

/// PP-logs: every API request leaves a row, secrets redacted, after the response, without ever
/// failing the request.
@Suite(.database, .serialized) struct RequestLogTests {
    let api: PostgresClient
    let maintenance: PostgresClient

    init() throws {
        let database = try TestDatabase.required()
        api = database.client(as: .api)
        maintenance = database.client(as: .maintenance)
    }

    /// A function that authenticates API keys, or fails the way it is told.
    struct Probe: APIFunction {
        let authenticator: Authenticator
        let requestLog: RequestLog?

        func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
            if request.rawPath == "/fail" { throw APIError(.conflict, "conflict", "no") }
            let caller = try await authenticator.authenticate(request, policy: .restAPI)
            return APIResponse.json(.ok, ["account": caller.accountID.uuidString])
        }
    }

    func context() -> LambdaContext {
        LambdaContext(
            requestID: UUID().uuidString, deadlineMilliseconds: WallClock.nowMilliseconds() + 10_000,
            invokedFunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:probe", traceID: nil,
            clientContext: nil, cognitoIdentity: nil,
            function: FunctionEnvironment(environment: ["AWS_LAMBDA_FUNCTION_NAME": "probe"]),
            logger: Logger(label: "request-log-test"))
    }

    func row(_ requestID: String) throws -> (UUID?, String, Int, String?, String?, PostgresJSON)? {
        try maintenance.query(
            """
            select account_id, path, status, host(ip), user_agent, headers from kloudhub.request_log where request_id = \(requestID)
            """
        ).first?.decode((UUID?, String, Int, String?, String?, PostgresJSON).self)
    }

    @Test func logsAnAuthenticatedRequestAfterTheResponseWithSecretsRedacted() async throws {
        let account = try AccountDirectory(database: api).upsert(
            clerkUserID: "user_" + UUID().uuidString, email: "ada@example.com", name: "Ada"
        ).id
        let key = try APIKeyService(database: api).create(account: account, name: "k", scopes: [.read], expiresAt: nil)
        let probe = Probe(
            authenticator: Authenticator(database: api, clerk: nil), requestLog: RequestLog(database: api))
        var request = TestRequests.request(
            path: "/v1/things", query: "access=1",
            headers: [
                "authorization": "Bearer \(key.key)", "x-api-key": "plain", "user-agent": "curl/8",
                "x-forwarded-for": "198.51.100.7", "x-custom": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
            ],
            cookies: ["__session=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"])
        request.requestContext.http.sourceIp = "203.0.113.9"
        let context = context()

        let response = await probe.handle(request, context: context)
        let before = try row(request.requestContext.requestId)
        await context.afterResponse.run()

        #expect(response.statusCode == 200)
        #expect(before == nil)
        let (accountID, path, status, ip, agent, headers) = try #require(try row(request.requestContext.requestId))
        #expect(accountID == account)
        #expect((path, status, ip, agent) == ("/v1/things", 200, "203.0.113.9", "curl/8"))
        let logged = try headers.decode([String: String].self)
        #expect(logged["authorization"] == "[redacted]")
        #expect(logged["cookie"] == "[redacted]")
        #expect(logged["x-api-key"] == "[redacted]")
        #expect(logged["x-custom"] == "[redacted]")
        #expect(logged["x-forwarded-for"] == "198.51.100.7")
        #expect(!headers.text.contains(key.key))
    }

    @Test func logsRefusedAndAnonymousRequestsWithoutAnAccount() async throws {
        let probe = Probe(
            authenticator: Authenticator(database: api, clerk: nil), requestLog: RequestLog(database: api))
        let refused = TestRequests.request(path: "/fail")
        let anonymous = TestRequests.request(path: "/v1/things")
        let context = context()

        let first = await probe.handle(refused, context: context)
        let second = await probe.handle(anonymous, context: context)
        await context.afterResponse.run()

        #expect((first.statusCode, second.statusCode) == (409, 401))
        #expect(try row(refused.requestContext.requestId)?.2 == 409)
        #expect(try row(anonymous.requestContext.requestId)?.0 == nil)
        #expect(try row(anonymous.requestContext.requestId)?.2 == 401)
    }

    @Test func aFailingLogNeverFailsTheRequest() async throws {
        let unreachable = PostgresClient(
            configuration: .init(connectionString: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"))
        let probe = Probe(
            authenticator: Authenticator(database: api, clerk: nil), requestLog: RequestLog(database: unreachable))
        let context = context()

        let response = await probe.handle(TestRequests.request(path: "/fail"), context: context)
        await context.afterResponse.run()

        #expect(response.statusCode == 409)
    }

    @Test func doesNotNameAnAccountThatIsBeingDeleted() throws {
        let account = try AccountDirectory(database: api).upsert(
            clerkUserID: "user_" + UUID().uuidString, email: "ada@example.com", name: "Ada"
        ).id
        try maintenance.execute(
            "update kloudhub.accounts set status = 'deleting', deletion_requested_at = now() where id = \(account)")
        let request = TestRequests.request(path: "/v1/account")
        let entry = RequestLogEntry(
            request: request, status: 202, accountID: account, functionName: "account-delete",
            duration: .milliseconds(3), receivedAt: Date())

        try RequestLog(database: api).write(entry)

        #expect(try row(request.requestContext.requestId)?.0 == nil)
    }
}

@Suite struct HeaderRedactionTests {
    @Test(arguments: [
        ("authorization", "Bearer abc"), ("cookie", "a=b"), ("set-cookie", "a=b"), ("x-amz-security-token", "t"),
        ("svix-signature", "v1,abc"), ("x-api-key", "k"), ("x-anything", "khk_" + String(repeating: "a", count: 43)),
        ("x-anything", "Basic dXNlcjpwYXNz"), ("x-anything", String(repeating: "a1B2", count: 10)),
        ("x-anything", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"),
    ])
    func redacts(name: String, value: String) {
        #expect(HeaderRedaction.redacted([name: value])[name] == HeaderRedaction.placeholder)
    }

    @Test(arguments: [
        ("content-type", "application/json"), ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"),
        ("accept", "application/json, text/event-stream"), ("host", "api.kloudhub.example.com"),
        ("x-amzn-trace-id", "Root=1-67891233-abcdef012345678912345678"), ("mcp-protocol-version", "2025-11-25"),
    ])
    func keeps(name: String, value: String) {
        #expect(HeaderRedaction.redacted([name: value])[name] == value)
    }
}
