extension SignableRequest {
    /// Creates a request from an absolute URL such as
    /// `https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15`.
    ///
    /// The path is kept as written (percent-encoded); the query is split on `&` and the first
    /// `=` of each part, and percent-decoded (`+` stays `+`). A `Host` header is added from
    /// the URL, without user info and without the scheme's default port, unless `headers`
    /// has one. The fragment is dropped.
    public init(method: String, url: String, headers: [Header] = [], body: [UInt8] = []) throws(SigV4Error) {
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw .invalidURL("the URL must be absolute: scheme://host/path")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.utf8.allSatisfy({ SigV4Encoding.isUnreserved($0) || $0 == UInt8(ascii: "+") })
        else {
            throw .invalidURL("the URL's scheme is not valid")
        }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd =
            afterScheme.firstIndex { (character: Character) in character == "/" || character == "?" || character == "#"
            }
            ?? afterScheme.endIndex
        let host = Self.hostHeaderValue(authority: afterScheme[..<authorityEnd], scheme: scheme)
        guard !host.isEmpty, !host.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidURL("the URL's host is empty or holds spaces or control characters")
        }

        var rest = afterScheme[authorityEnd...]
        if let fragment = rest.firstIndex(of: "#") {
            rest = rest[..<fragment]
        }
        let queryStart = rest.firstIndex(of: "?")
        let path = String(rest[..<(queryStart ?? rest.endIndex)])
        let queryItems = try queryStart.map { start throws(SigV4Error) in
            try Self.queryItems(parsing: rest[rest.index(after: start)...])
        }

        var allHeaders = headers
        if !headers.contains(where: { $0.name.isASCIICaseInsensitiveEqual(to: "host") }) {
            allHeaders.insert(Header(name: "Host", value: host), at: 0)
        }
        self.init(method: method, path: path, queryItems: queryItems ?? [], headers: allHeaders, body: body)
    }

    /// The authority without user info, lowercased, without the scheme's default port.
    private static func hostHeaderValue(authority: Substring, scheme: String) -> String {
        var host = authority
        if let at = host.lastIndex(of: "@") {
            host = host[host.index(after: at)...]
        }
        let lowered = host.lowercased()
        let defaultPort = scheme == "https" ? ":443" : scheme == "http" ? ":80" : nil
        if let defaultPort, lowered.hasSuffix(defaultPort) {
            return String(lowered.dropLast(defaultPort.count))
        }
        return lowered
    }

    /// Splits a raw query string into decoded items; empty parts (`a=1&&b=2`) are skipped.
    static func queryItems(parsing query: Substring) throws(SigV4Error) -> [QueryItem] {
        var items: [QueryItem] = []
        for (index, part) in query.split(separator: "&", omittingEmptySubsequences: true).enumerated() {
            let equals = part.firstIndex(of: "=")
            let rawName = part[..<(equals ?? part.endIndex)]
            let rawValue = equals.map { part[part.index(after: $0)...] } ?? ""
            guard let name = SigV4Encoding.percentDecoded(rawName.utf8),
                let value = SigV4Encoding.percentDecoded(rawValue.utf8)
            else {
                throw .invalidQuery("a '%' in the query must start a %XX escape", item: index)
            }
            guard let decodedName = String(validating: name, as: UTF8.self),
                let decodedValue = String(validating: value, as: UTF8.self)
            else {
                throw .invalidQuery("the query must decode to UTF-8 text", item: index)
            }
            items.append(QueryItem(name: decodedName, value: decodedValue))
        }
        return items
    }
}
