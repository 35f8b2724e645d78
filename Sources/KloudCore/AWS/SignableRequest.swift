/// An HTTP request as SigV4 sees it: method, path, query, headers and body.
///
/// The path is the *wire* form, percent-encoded as it appears in the request line
/// (`/my%20bucket/key`); build it from a raw path with ``encodedPath(_:)``. Query items are
/// held decoded and are percent-encoded by the signer, so that the query a client sends
/// (``requestTarget``) is byte for byte the one that was signed. Headers keep their order and
/// may repeat.
public struct SignableRequest: Sendable, Hashable {
    /// One `name=value` pair of the query string, decoded.
    public struct QueryItem: Sendable, Hashable {
        /// The decoded name; may be empty.
        public var name: String
        /// The decoded value; empty for `?name` and `?name=` alike, as SigV4 signs both as `name=`.
        public var value: String

        /// Creates a query item from decoded text.
        public init(name: String, value: String = "") {
            self.name = name
            self.value = value
        }
    }

    /// One header line; names compare case-insensitively and may repeat.
    public struct Header: Sendable, Hashable {
        /// The header name as it will be sent.
        public var name: String
        /// The value as it will be sent; a folded (multi-line) value keeps its line breaks.
        public var value: String

        /// Creates a header line.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The HTTP method, such as `GET`.
    public var method: String
    /// The percent-encoded path as sent on the wire; empty means `/`.
    public var path: String
    /// The query items, decoded, in the order they are sent.
    public var queryItems: [QueryItem]
    /// The header lines in order; must include `Host`.
    public var headers: [Header]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a request from its parts.
    public init(
        method: String,
        path: String,
        queryItems: [QueryItem] = [],
        headers: [Header] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.body = body
    }

    // MARK: - Headers

    /// The values of every header with this name (case-insensitive), in order.
    public func headerValues(named name: String) -> [String] {
        headers.compactMap { $0.name.isASCIICaseInsensitiveEqual(to: name) ? $0.value : nil }
    }

    /// Removes every header with this name (case-insensitive).
    public mutating func removeHeaders(named name: String) {
        headers.removeAll { $0.name.isASCIICaseInsensitiveEqual(to: name) }
    }

    /// Replaces every header with this name by one line at the end.
    public mutating func setHeader(_ name: String, to value: String) {
        removeHeaders(named: name)
        headers.append(Header(name: name, value: value))
    }

    // MARK: - Wire form

    /// The request target of the request line: the path, then `?` and the query items
    /// percent-encoded exactly as the signer encodes them.
    public var requestTarget: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count + queryItems.count * 32)
        if path.isEmpty {
            bytes.append(UInt8(ascii: "/"))
        } else {
            bytes.append(contentsOf: path.utf8)
        }
        for (index, item) in queryItems.enumerated() {
            bytes.append(index == 0 ? UInt8(ascii: "?") : UInt8(ascii: "&"))
            SigV4Encoding.appendEncoded(item.name, to: &bytes)
            bytes.append(UInt8(ascii: "="))
            SigV4Encoding.appendEncoded(item.value, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The absolute URL `scheme://host/path?query`, or nil when the request has no Host header.
    ///
    /// This is the form to hand out for a presigned request.
    public func url(scheme: String = "https") -> String? {
        guard let host = headerValues(named: "host").first else { return nil }
        return "\(scheme)://\(host)\(requestTarget)"
    }

    /// Percent-encodes a raw path for the wire: every byte but RFC 3986's unreserved
    /// characters and `/` becomes `%XX`.
    ///
    /// `SignableRequest.encodedPath("/my bucket/photo 1.jpg")` is `/my%20bucket/photo%201.jpg`,
    /// the form S3 expects for object keys.
    public static func encodedPath(_ rawPath: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rawPath.utf8.count + 8)
        SigV4Encoding.appendEncoded(rawPath, to: &bytes, keepingSlashes: true)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// Compares two strings byte by byte, folding ASCII letters only (as HTTP header names do).
    func isASCIICaseInsensitiveEqual(to other: String) -> Bool {
        let lhs = utf8
        let rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { SigV4Encoding.lowercasedASCII($0) == SigV4Encoding.lowercasedASCII($1) }
    }
}
