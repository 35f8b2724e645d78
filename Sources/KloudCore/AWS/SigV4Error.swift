/// Why a request could not be signed with AWS Signature Version 4.
///
/// Signing fails only on bad input, so the error never wraps another one. `description` names
/// the problem without repeating any value from the request, because header values, query
/// values and credentials may be secret; `debugDescription` adds where the problem sits
/// (a header name, a byte offset), still without values.
public struct SigV4Error: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
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

        /// The URL string is not an absolute `scheme://host/path?query` URL.
        public static let invalidURL = Code(rawValue: "invalid_url")
        /// The HTTP method is empty or not an HTTP token.
        public static let invalidMethod = Code(rawValue: "invalid_method")
        /// The path does not start with `/`, holds a control character, `?`, `#` or a broken
        /// percent escape, or (for services signed without double encoding) is not percent-encoded.
        public static let invalidPath = Code(rawValue: "invalid_path")
        /// The query string holds a broken percent escape or does not decode to UTF-8.
        public static let invalidQuery = Code(rawValue: "invalid_query")
        /// A header name is empty or not an HTTP token.
        public static let invalidHeaderName = Code(rawValue: "invalid_header_name")
        /// A header value holds a control character or a line break that is not a folded line.
        public static let invalidHeaderValue = Code(rawValue: "invalid_header_value")
        /// The request has no `Host` header, which every SigV4 signature must cover.
        public static let missingHost = Code(rawValue: "missing_host")
        /// The access key id or secret is empty or holds characters a signature cannot carry.
        public static let invalidCredentials = Code(rawValue: "invalid_credentials")
        /// The region or service name is empty or holds `/`, whitespace or control characters.
        public static let invalidScope = Code(rawValue: "invalid_scope")
        /// The signing date lies outside the years 0000 to 9999.
        public static let invalidDate = Code(rawValue: "invalid_date")
        /// A presigned URL's lifetime is outside 1 second to 7 days.
        public static let invalidExpiration = Code(rawValue: "invalid_expiration")
        /// A precomputed payload hash is empty or holds characters outside visible ASCII.
        public static let invalidPayloadHash = Code(rawValue: "invalid_payload_hash")
    }

    /// The reason, stable for callers to match on.
    public let code: Code

    /// A fixed sentence describing the reason, free of request values.
    let summary: String

    /// Where the problem sits (a header name, an offset); never a value from the request.
    let location: String?

    init(code: Code, summary: String, location: String? = nil) {
        self.code = code
        self.summary = summary
        self.location = location
    }

    /// The code and a fixed sentence, safe to show to a client or write to a log.
    public var description: String {
        "\(code.rawValue): \(summary)"
    }

    /// The description plus where in the request the problem sits.
    public var debugDescription: String {
        guard let location else { return "SigV4Error(\(description))" }
        return "SigV4Error(\(description); at \(location))"
    }

    // MARK: - Factories

    static func invalidURL(_ summary: String) -> SigV4Error {
        SigV4Error(code: .invalidURL, summary: summary)
    }

    static func invalidMethod() -> SigV4Error {
        SigV4Error(code: .invalidMethod, summary: "the HTTP method must be a non-empty HTTP token")
    }

    static func invalidPath(_ summary: String, offset: Int? = nil) -> SigV4Error {
        SigV4Error(code: .invalidPath, summary: summary, location: offset.map { "path byte \($0)" })
    }

    static func invalidQuery(_ summary: String, item: Int? = nil) -> SigV4Error {
        SigV4Error(code: .invalidQuery, summary: summary, location: item.map { "query item \($0)" })
    }

    static func invalidHeaderName(index: Int) -> SigV4Error {
        SigV4Error(
            code: .invalidHeaderName,
            summary: "a header name must be a non-empty HTTP token",
            location: "header \(index)"
        )
    }

    static func invalidHeaderValue(_ summary: String, name: String) -> SigV4Error {
        SigV4Error(code: .invalidHeaderValue, summary: summary, location: "header \(name)")
    }

    static func missingHost() -> SigV4Error {
        SigV4Error(code: .missingHost, summary: "the request needs a Host header")
    }

    static func invalidCredentials(_ summary: String) -> SigV4Error {
        SigV4Error(code: .invalidCredentials, summary: summary)
    }

    static func invalidScope(_ summary: String) -> SigV4Error {
        SigV4Error(code: .invalidScope, summary: summary)
    }

    static func invalidDate() -> SigV4Error {
        SigV4Error(code: .invalidDate, summary: "the signing date must fall in the years 0000 to 9999")
    }

    static func invalidExpiration(seconds: Int) -> SigV4Error {
        SigV4Error(
            code: .invalidExpiration,
            summary: "a presigned URL must expire after 1 to 604800 seconds",
            location: "expires \(seconds)"
        )
    }

    static func invalidPayloadHash() -> SigV4Error {
        SigV4Error(code: .invalidPayloadHash, summary: "a payload hash must be non-empty visible ASCII")
    }
}
