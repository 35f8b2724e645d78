/// An HTTP request for ``HTTPClient``: method, absolute URL, headers and body.
public struct HTTPRequest: Sendable {
    /// What the request sends after its headers.
    public enum Body: Sendable {
        /// No body.
        case empty
        /// The bytes, held in memory.
        case bytes([UInt8])
        /// Bytes read from a source while the request is sent; `length` becomes the
        /// `Content-Length`, and nil sends the body in chunked transfer encoding.
        case stream(any HTTPBodySource, length: Int64?)

        /// The number of bytes the body announces; nil for a stream of unknown length.
        public var length: Int64? {
            switch self {
            case .empty: 0
            case .bytes(let bytes): Int64(bytes.count)
            case .stream(_, let length): length
            }
        }

        /// Whether the same bytes can be sent again, so the request can be retried.
        public func rewind() -> Bool {
            switch self {
            case .empty, .bytes: true
            case .stream(let source, _): source.rewind()
            }
        }
    }

    /// The method, such as `GET`.
    public var method: String
    /// The absolute `http` or `https` URL, already percent-encoded.
    public var url: String
    /// The header lines. `Content-Length` and `Transfer-Encoding` come from the body, not from
    /// here; a `Host` line replaces the one derived from the URL.
    public var headers: HTTPHeaders
    /// The body.
    public var body: Body
    /// A total timeout for this request alone, replacing the client's.
    public var timeout: Duration?
    /// A connect timeout for this request alone, replacing the client's.
    public var connectTimeout: Duration?
    /// The most response body bytes this request accepts, below the client's own limits; a
    /// response that announces a longer body is refused before its body is read.
    public var maximumResponseBodySize: Int?
    /// Whether the transfer may use `https` only, refusing plain `http`.
    public var isHTTPSRequired = false
    /// The only addresses the transfer may connect to, for a URL from an untrusted source whose
    /// host was resolved and vetted beforehand; empty for no restriction.
    ///
    /// libcurl takes the host's addresses from this list instead of DNS (so a DNS answer that
    /// changes between the vetting and the connection is never used), refuses to open a socket to
    /// any other address, bypasses proxies, and uses a connection of its own that no other request
    /// shares.
    public var pinnedAddresses: [IPAddress] = []

    /// Creates a request.
    public init(
        method: String,
        url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: Body = .empty,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
