import FoundationEssentials

/// An API Gateway HTTP API request, payload format 2.0.
///
/// Header names are lowercase and repeated headers arrive comma-joined; cookies arrive in
/// `cookies`, not in `headers`; a binary body arrives base64-encoded with `isBase64Encoded`.
public struct APIGatewayV2Request: Codable, Sendable, Equatable {
    /// `requestContext.http`: the method, path and caller of the request.
    public struct HTTP: Codable, Sendable, Equatable {
        public var method: String
        public var path: String
        public var `protocol`: String
        public var sourceIp: String
        public var userAgent: String

        public init(method: String, path: String, protocol: String, sourceIp: String, userAgent: String) {
            self.method = method
            self.path = path
            self.protocol = `protocol`
            self.sourceIp = sourceIp
            self.userAgent = userAgent
        }
    }

    /// `requestContext`: where and when the request was received.
    public struct Context: Codable, Sendable, Equatable {
        public var accountId: String
        public var apiId: String
        public var domainName: String
        public var domainPrefix: String
        public var http: HTTP
        public var requestId: String
        public var routeKey: String
        public var stage: String
        public var time: String
        /// Milliseconds since the epoch.
        public var timeEpoch: Int64

        public init(
            accountId: String, apiId: String, domainName: String, domainPrefix: String, http: HTTP,
            requestId: String, routeKey: String, stage: String, time: String, timeEpoch: Int64
        ) {
            self.accountId = accountId
            self.apiId = apiId
            self.domainName = domainName
            self.domainPrefix = domainPrefix
            self.http = http
            self.requestId = requestId
            self.routeKey = routeKey
            self.stage = stage
            self.time = time
            self.timeEpoch = timeEpoch
        }
    }

    public var version: String
    public var routeKey: String
    public var rawPath: String
    public var rawQueryString: String
    public var cookies: [String]?
    public var headers: [String: String]
    public var queryStringParameters: [String: String]?
    public var pathParameters: [String: String]?
    public var stageVariables: [String: String]?
    public var requestContext: Context
    public var body: String?
    public var isBase64Encoded: Bool

    public init(
        routeKey: String, rawPath: String, rawQueryString: String, cookies: [String]?,
        headers: [String: String], queryStringParameters: [String: String]?,
        pathParameters: [String: String]?, requestContext: Context, body: String?, isBase64Encoded: Bool
    ) {
        self.version = "2.0"
        self.routeKey = routeKey
        self.rawPath = rawPath
        self.rawQueryString = rawQueryString
        self.cookies = cookies
        self.headers = headers
        self.queryStringParameters = queryStringParameters
        self.pathParameters = pathParameters
        self.stageVariables = nil
        self.requestContext = requestContext
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        routeKey = try container.decode(String.self, forKey: .routeKey)
        rawPath = try container.decode(String.self, forKey: .rawPath)
        rawQueryString = try container.decodeIfPresent(String.self, forKey: .rawQueryString) ?? ""
        cookies = try container.decodeIfPresent([String].self, forKey: .cookies)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        queryStringParameters = try container.decodeIfPresent([String: String].self, forKey: .queryStringParameters)
        pathParameters = try container.decodeIfPresent([String: String].self, forKey: .pathParameters)
        stageVariables = try container.decodeIfPresent([String: String].self, forKey: .stageVariables)
        requestContext = try container.decode(Context.self, forKey: .requestContext)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        isBase64Encoded = try container.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    /// The body's bytes, base64-decoded when the gateway encoded it; nil when it is not valid base64.
    public var bodyBytes: [UInt8]? {
        guard let body else { return [] }
        guard isBase64Encoded else { return Array(body.utf8) }
        return Data(base64Encoded: body).map { Array($0) }
    }

    /// The value of the header `name` (matched without regard to case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
