/// Why an HTTP exchange failed before a complete response arrived.
///
/// `description` holds the code and a fixed sentence; libcurl's own message (which may name
/// hosts and addresses) is kept for `debugDescription` only.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable, machine-readable reason, spelled in snake_case.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The snake_case spelling, stable across releases.
        public let rawValue: String

        /// Creates a code from its snake_case spelling.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The spelling, as `description`.
        public var description: String { rawValue }

        /// The request itself is unusable: a bad URL, method or header.
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// No connection could be made: the name did not resolve or the peer refused.
        public static let connectionFailed = Code(rawValue: "connection_failed")
        /// The connect timeout or the total timeout ran out.
        public static let timedOut = Code(rawValue: "timed_out")
        /// The TLS handshake failed or the peer's certificate did not verify.
        public static let tlsFailed = Code(rawValue: "tls_failed")
        /// The connection broke while sending or receiving, or the peer answered nothing.
        public static let connectionLost = Code(rawValue: "connection_lost")
        /// The response ended before the length it announced.
        public static let truncatedResponse = Code(rawValue: "truncated_response")
        /// The peer's answer is not valid HTTP.
        public static let invalidResponse = Code(rawValue: "invalid_response")
        /// The response body is larger than the client accepts in memory.
        public static let responseTooLarge = Code(rawValue: "response_too_large")
        /// The request body source failed or delivered fewer bytes than announced.
        public static let requestBodyFailed = Code(rawValue: "request_body_failed")
        /// The response body sink refused a chunk.
        public static let responseSinkFailed = Code(rawValue: "response_sink_failed")
        /// The task awaiting the response was cancelled.
        public static let cancelled = Code(rawValue: "cancelled")
        /// libcurl failed in a way none of the other codes names.
        public static let transferFailed = Code(rawValue: "transfer_failed")
    }

    /// The reason, stable for callers to match on.
    public let code: Code
    /// libcurl's numeric result, when the failure came from libcurl.
    public let curlCode: Int?
    /// What the body source or sink threw, when one of them failed.
    public let underlying: (any Error)?

    let summary: String
    let detail: String?

    init(code: Code, summary: String, curlCode: Int? = nil, detail: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.summary = summary
        self.curlCode = curlCode
        self.detail = detail
        self.underlying = underlying
    }

    /// The code and a fixed sentence, safe to show or log.
    public var description: String { "\(code.rawValue): \(summary)" }

    /// The description plus libcurl's message and the underlying error.
    public var debugDescription: String {
        var text = "HTTPClientError(\(description)"
        if let curlCode { text += "; curl \(curlCode)" }
        if let detail, !detail.isEmpty { text += "; \(detail)" }
        if let underlying { text += "; underlying: \(String(reflecting: underlying))" }
        return text + ")"
    }

    /// Whether sending the same request again may succeed: the failures of a connection, not of
    /// the request (connection refused or lost, timeouts, a truncated answer).
    public var isTransient: Bool {
        [.connectionFailed, .timedOut, .connectionLost, .truncatedResponse].contains(code)
    }

    // MARK: - Factories

    static func invalidRequest(_ summary: String) -> HTTPClientError {
        HTTPClientError(code: .invalidRequest, summary: summary)
    }

    static func responseTooLarge(limit: Int) -> HTTPClientError {
        HTTPClientError(code: .responseTooLarge, summary: "the response body is larger than \(limit) bytes")
    }

    static func addressNotAllowed() -> HTTPClientError {
        HTTPClientError(
            code: .connectionFailed, summary: "the connection would have gone to an address the request does not allow")
    }

    static func requestBodyFailed(_ summary: String, underlying: (any Error)? = nil) -> HTTPClientError {
        HTTPClientError(code: .requestBodyFailed, summary: summary, underlying: underlying)
    }

    static func responseSinkFailed(underlying: (any Error)?) -> HTTPClientError {
        HTTPClientError(code: .responseSinkFailed, summary: "the response body sink failed", underlying: underlying)
    }

    static func cancelled() -> HTTPClientError {
        HTTPClientError(code: .cancelled, summary: "the request was cancelled")
    }

    static func transferFailed(_ summary: String, curlCode: Int? = nil) -> HTTPClientError {
        HTTPClientError(code: .transferFailed, summary: summary, curlCode: curlCode)
    }
}
