/// Why a call to an AWS API failed: the service's own error (with its code, message, request
/// id and HTTP status), or a failure on the way (transport, a response that cannot be read,
/// bad input, configuration).
///
/// Every protocol (query, JSON, rest-json, rest-xml) ends in this one type. `description`
/// names the code, the service and the service's error code only; the service's message (which
/// may quote request details) and the request id are in `debugDescription`.
public struct AWSError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
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

        /// The service answered with an AWS error; ``AWSError/serviceCode`` says which.
        public static let serviceError = Code(rawValue: "service_error")
        /// An error status came with a body that is not an AWS error at all, such as a proxy's
        /// HTML page.
        public static let unrecognizedErrorResponse = Code(rawValue: "unrecognized_error_response")
        /// An error status came with an AWS-looking body that is malformed, truncated or has no
        /// error code.
        public static let malformedErrorResponse = Code(rawValue: "malformed_error_response")
        /// A successful status came with a body that cannot be read as the operation's output.
        public static let malformedResponse = Code(rawValue: "malformed_response")
        /// The exchange failed before a response arrived; ``AWSError/transportError`` says how.
        public static let transportFailed = Code(rawValue: "transport_failed")
        /// The call's input cannot be sent (an empty bucket name, a request that cannot be signed).
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// The configuration (region, endpoint, credentials) is unusable.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// No credentials were configured for a call that needs them.
        public static let missingCredentials = Code(rawValue: "missing_credentials")
        /// Pagination went past its page bound or met a repeated token.
        public static let paginationLimitExceeded = Code(rawValue: "pagination_limit_exceeded")
    }

    /// The reason, stable for callers to match on.
    public let code: Code
    /// The service's SDK id, such as `S3` or `KMS`.
    public let service: String
    /// The service's error code, such as `NoSuchKey` or `ThrottlingException`.
    public let serviceCode: String?
    /// The service's error message; server text, kept out of `description`.
    public let message: String?
    /// The request id AWS assigned, for support cases and log correlation.
    public let requestID: String?
    /// The HTTP status of the response, when one arrived.
    public let statusCode: Int?
    /// The error this one wraps: an ``HTTPClientError``, a ``SigV4Error``, a decoding error.
    public let underlying: (any Error)?

    let summary: String

    init(
        code: Code,
        service: String,
        summary: String,
        serviceCode: String? = nil,
        message: String? = nil,
        requestID: String? = nil,
        statusCode: Int? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.service = service
        self.summary = summary
        self.serviceCode = serviceCode
        self.message = message
        self.requestID = requestID
        self.statusCode = statusCode
        self.underlying = underlying
    }

    /// The transport failure behind a ``Code/transportFailed`` error.
    public var transportError: HTTPClientError? { underlying as? HTTPClientError }

    /// The code, the service and a fixed sentence (with the service's error code and the HTTP
    /// status for a service error); safe to show or log.
    public var description: String {
        var text = "\(code.rawValue): \(service) \(summary)"
        if let serviceCode { text += " \(serviceCode)" }
        if let statusCode { text += " (HTTP \(statusCode))" }
        return text
    }

    /// The description plus the request id, the service's message and the underlying error.
    public var debugDescription: String {
        var text = "AWSError(\(description)"
        if let requestID { text += "; request id \(requestID)" }
        if let message { text += "; message: \(message)" }
        if let underlying { text += "; underlying: \(String(reflecting: underlying))" }
        return text + ")"
    }

    // MARK: - Retry classification

    /// Error codes by which AWS services say "slow down"; the SDKs' standard retry mode list.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Error codes of failures that another attempt may not meet.
    static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException"]

    /// HTTP statuses of failures that another attempt may not meet.
    static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    /// Whether the service asked the caller to slow down.
    public var isThrottling: Bool {
        serviceCode.map { Self.throttlingCodes.contains($0) } ?? false
    }

    /// Whether the failure is of the moment: a 500/502/503/504 status, a timeout code, or a
    /// connection that failed, broke or timed out.
    public var isTransient: Bool {
        if let transportError { return transportError.isTransient }
        if let serviceCode, Self.transientCodes.contains(serviceCode) { return true }
        return statusCode.map { Self.transientStatuses.contains($0) } ?? false
    }

    /// Whether the SDKs' standard retry mode would try again: throttling or transient.
    public var isRetryable: Bool { isThrottling || isTransient }

    // MARK: - Factories

    static func service(
        _ service: String, serviceCode: String, message: String?, requestID: String?, statusCode: Int
    ) -> AWSError {
        AWSError(
            code: .serviceError, service: service, summary: "answered", serviceCode: serviceCode, message: message,
            requestID: requestID, statusCode: statusCode)
    }

    static func unrecognizedErrorResponse(_ service: String, statusCode: Int, requestID: String?) -> AWSError {
        AWSError(
            code: .unrecognizedErrorResponse, service: service,
            summary: "answered with a response that is not an AWS error",
            requestID: requestID, statusCode: statusCode)
    }

    static func malformedErrorResponse(
        _ service: String, statusCode: Int, requestID: String?, underlying: (any Error)? = nil
    ) -> AWSError {
        AWSError(
            code: .malformedErrorResponse, service: service, summary: "answered with a malformed error body",
            requestID: requestID, statusCode: statusCode, underlying: underlying)
    }

    static func malformedResponse(
        _ service: String, _ summary: String, statusCode: Int? = nil, requestID: String? = nil,
        underlying: (any Error)? = nil
    ) -> AWSError {
        AWSError(
            code: .malformedResponse, service: service, summary: "sent an unreadable response: \(summary)",
            requestID: requestID, statusCode: statusCode, underlying: underlying)
    }

    static func transport(_ service: String, _ error: HTTPClientError) -> AWSError {
        AWSError(
            code: .transportFailed, service: service, summary: "could not be reached: \(error.code)", underlying: error)
    }

    static func invalidRequest(_ service: String, _ summary: String, underlying: (any Error)? = nil) -> AWSError {
        AWSError(
            code: .invalidRequest, service: service, summary: "request is invalid: \(summary)", underlying: underlying)
    }

    static func invalidConfiguration(_ summary: String) -> AWSError {
        AWSError(code: .invalidConfiguration, service: "AWS", summary: "configuration is invalid: \(summary)")
    }

    static func missingCredentials(_ service: String) -> AWSError {
        AWSError(code: .missingCredentials, service: service, summary: "call has no credentials to sign with")
    }

    static func paginationLimitExceeded(_ service: String, _ summary: String) -> AWSError {
        AWSError(code: .paginationLimitExceeded, service: service, summary: "pagination stopped: \(summary)")
    }
}
