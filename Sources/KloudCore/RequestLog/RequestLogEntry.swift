import FoundationEssentials
import LambdaRuntime

/// One row of the request log: who asked what, when, from where, and the answer's status
/// (PP-logs). Built from the gateway's event, so it holds no query string and no secret.
public struct RequestLogEntry: Sendable, Equatable {
    /// When API Gateway received the request.
    public var occurredAt: Date
    /// API Gateway's request id (what a client sees as `apigw-requestid`).
    public var requestID: String
    /// The function that answered.
    public var functionName: String
    /// The account a credential proved, when one did.
    public var accountID: UUID?
    /// The HTTP method.
    public var method: String
    /// The path without its query string (a query may carry anything).
    public var path: String
    /// The answer's HTTP status.
    public var status: Int
    /// The caller's address as API Gateway saw it.
    public var sourceIP: IPAddress?
    /// The `User-Agent` header, cut to 1024 characters.
    public var userAgent: String?
    /// The request headers, secrets redacted (``HeaderRedaction``).
    public var headers: [String: String]
    /// How long the function took to answer.
    public var durationMilliseconds: Int

    /// The entry for `request` answered with `status` after `duration`.
    public init(
        request: APIGatewayV2Request, status: Int, accountID: UUID?, functionName: String, duration: Duration,
        receivedAt: Date
    ) {
        let context = request.requestContext
        occurredAt = context.timeEpoch > 0 ? Date(timeIntervalSince1970: Double(context.timeEpoch) / 1000) : receivedAt
        requestID = String((context.requestId.isEmpty ? UUID().uuidString : context.requestId).prefix(200))
        self.functionName = functionName
        self.accountID = accountID
        method = String(context.http.method.prefix(16))
        let rawPath = request.rawPath.isEmpty ? context.http.path : request.rawPath
        path = String(
            (rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").prefix(2048))
        self.status = (100...599).contains(status) ? status : 500
        sourceIP = IPAddress(context.http.sourceIp)
        let agent = request.header("user-agent") ?? context.http.userAgent
        userAgent = agent.isEmpty ? nil : String(agent.prefix(1024))
        var headers = request.headers
        if let cookies = request.cookies, !cookies.isEmpty { headers["cookie"] = cookies.joined(separator: "; ") }
        self.headers = HeaderRedaction.redacted(headers)
        let (seconds, attoseconds) = duration.components
        durationMilliseconds = max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
