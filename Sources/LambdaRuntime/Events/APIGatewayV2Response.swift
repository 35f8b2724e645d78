import FoundationEssentials

/// A response to an API Gateway HTTP API request, payload format 2.0.
public struct APIGatewayV2Response: Codable, Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]?
    /// Each becomes its own `Set-Cookie` header.
    public var cookies: [String]?
    public var body: String?
    public var isBase64Encoded: Bool?

    public init(
        statusCode: Int, headers: [String: String]? = nil, cookies: [String]? = nil, body: String? = nil,
        isBase64Encoded: Bool? = nil
    ) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    /// A response carrying binary bytes, base64-encoded as the gateway expects.
    public init(statusCode: Int, headers: [String: String]? = nil, binaryBody: [UInt8]) {
        self.init(
            statusCode: statusCode, headers: headers, body: Data(binaryBody).base64EncodedString(),
            isBase64Encoded: true)
    }
}
