/// A complete HTTP response: status, headers and, unless it was streamed to a sink, the body.
public struct HTTPResponse: Sendable {
    /// The status code, such as 200.
    public var status: Int
    /// The header lines of the final response (not of an interim `100 Continue`).
    public var headers: HTTPHeaders
    /// The body; empty when a successful body went to an ``HTTPBodySink``.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
