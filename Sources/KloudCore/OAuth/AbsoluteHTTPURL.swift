/// An absolute `http` or `https` URL split into the parts OAuth's URL rules look at.
///
/// The parser is stricter than RFC 3986 so that it cannot disagree with libcurl or a browser
/// about where the host is: printable ASCII only, no backslash, a host of letters, digits,
/// `-` and `_` labels, a canonical dotted-decimal IPv4 address, or a bracketed IPv6 address.
struct AbsoluteHTTPURL {
    /// Why text is not such a URL, as a phrase for an error message.
    struct Failure: Error {
        var reason: String
    }

    /// `https` or `http`, lower case as written.
    var scheme: String
    /// Whether a `user:password@` part precedes the host.
    var hasUserinfo: Bool
    /// The host as written, an IPv6 address with its brackets.
    var host: String
    /// The host when it is an address literal.
    var hostAddress: IPAddress?
    /// The port written after the host, if any.
    var port: Int?
    /// The path, empty or starting with `/`.
    var path: String
    /// The text after `?`, if any.
    var query: String?
    /// The text after `#`, if any.
    var fragment: String?

    /// The port a connection goes to: the one written, or the scheme's.
    var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    init(parsing text: String) throws(Failure) {
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else {
            throw Failure(reason: "it holds spaces, control characters, backslashes or non-ASCII characters")
        }
        let rest: Substring
        if text.hasPrefix("https://") {
            scheme = "https"
            rest = text.dropFirst("https://".count)
        } else if text.hasPrefix("http://") {
            scheme = "http"
            rest = text.dropFirst("http://".count)
        } else {
            throw Failure(reason: "it is not an absolute https URL")
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        hasUserinfo = authority.contains("@")
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        (host, hostAddress, port) = try Self.hostAndPort(authority)

        var remainder = rest[authorityEnd...]
        if let hash = remainder.firstIndex(of: "#") {
            fragment = String(remainder[remainder.index(after: hash)...])
            remainder = remainder[..<hash]
        }
        if let question = remainder.firstIndex(of: "?") {
            query = String(remainder[remainder.index(after: question)...])
            remainder = remainder[..<question]
        }
        path = String(remainder)
    }

    // MARK: - Host and port

    private static func hostAndPort(_ authority: Substring) throws(Failure) -> (String, IPAddress?, Int?) {
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Failure(reason: "its IPv6 host is unclosed") }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Failure(reason: "its host is malformed") }
                portText = after.dropFirst()
            }
            guard let address = IPAddress(host), !address.isIPv4 else {
                throw Failure(reason: "its IPv6 host is malformed")
            }
            return (String(host), address, try port(portText))
        }
        if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        return (String(host), try hostName(host), try port(portText))
    }

    /// Checks a host name's labels; returns the address when the host is a dotted-decimal IPv4.
    private static func hostName(_ host: Substring) throws(Failure) -> IPAddress? {
        guard !host.isEmpty else { throw Failure(reason: "it has no host") }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let isLabelByte: (UInt8) -> Bool = { byte in
            (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 && $0.utf8.allSatisfy(isLabelByte) }),
            host.utf8.count <= 253
        else { throw Failure(reason: "its host is not a valid host name") }
        // A numeric last label makes the host an IPv4 address in URL parsers (`127.1`, `0x7f.1`,
        // `2130706433`); only the canonical dotted-decimal form is accepted, so every parser agrees.
        let last = labels[labels.count - 1]
        let isNumeric = last.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } || last.lowercased().hasPrefix("0x")
        guard isNumeric else { return nil }
        guard labels.count == 4, let address = IPAddress(host) else {
            throw Failure(reason: "its host is a numeric address not in dotted-decimal form")
        }
        return address
    }

    private static func port(_ text: Substring?) throws(Failure) -> Int? {
        guard let text else { return nil }
        guard (1...5).contains(text.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(text),
            (1...65535).contains(port)
        else { throw Failure(reason: "its port is not a number from 1 to 65535") }
        return port
    }
}
