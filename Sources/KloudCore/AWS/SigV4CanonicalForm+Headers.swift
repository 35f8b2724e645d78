/// The canonical headers and the signed header list.
extension SigV4CanonicalForm {
    /// The canonical header lines (`name:value\n`, sorted) and the signed header list.
    struct Headers {
        var lines: [UInt8]
        var signedHeaders: String
    }

    /// Hop-by-hop headers that proxies may rewrite, plus `User-Agent`, the trace id and
    /// `Authorization` itself: signing them would make a correct signature fail on its way.
    /// The list is botocore's, so both sign the same headers.
    private static let unsignedHeaderNames: [[UInt8]] = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ].map { Array($0.utf8) }

    /// Lowercases names, trims values and collapses their inner whitespace (folded lines
    /// included), joins repeated names' values with `,` in their original order, and sorts.
    static func headers(_ headers: [SignableRequest.Header]) throws(SigV4Error) -> Headers {
        var table = try HeaderTable(headers)
        var lines: [UInt8] = []
        lines.reserveCapacity(table.storage.count + table.entries.count * 2)
        var signedHeaders: [UInt8] = []
        table.storage.withUnsafeBufferPointer { buffer in
            table.entries.sort { lhs, rhs in
                let byName = compare(buffer, lhs.name, rhs.name)
                return byName != 0 ? byName < 0 : lhs.order < rhs.order
            }
            var previous: Range<Int>?
            for entry in table.entries {
                let name = UnsafeBufferPointer(rebasing: buffer[entry.name])
                if let previous, compare(buffer, previous, entry.name) == 0 {
                    lines.append(UInt8(ascii: ","))
                } else {
                    if previous != nil {
                        lines.append(UInt8(ascii: "\n"))
                        signedHeaders.append(UInt8(ascii: ";"))
                    }
                    lines.append(contentsOf: name)
                    lines.append(UInt8(ascii: ":"))
                    signedHeaders.append(contentsOf: name)
                }
                lines.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[entry.value]))
                previous = entry.name
            }
            lines.append(UInt8(ascii: "\n"))
        }
        return Headers(lines: lines, signedHeaders: String(decoding: signedHeaders, as: UTF8.self))
    }

    /// The signed headers' canonical names and values in one byte buffer, in request order.
    private struct HeaderTable {
        struct Entry {
            var name: Range<Int>
            var value: Range<Int>
            var order: Int
        }

        var storage: [UInt8] = []
        var entries: [Entry] = []

        init(_ headers: [SignableRequest.Header]) throws(SigV4Error) {
            storage.reserveCapacity(headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
            entries.reserveCapacity(headers.count)
            var hasHost = false
            for (index, header) in headers.enumerated() {
                let nameStart = storage.count
                guard appendLowercasedName(header.name, to: &storage) else { throw .invalidHeaderName(index: index) }
                let valueStart = storage.count
                let name = storage[nameStart..<valueStart]
                if unsignedHeaderNames.contains(where: { $0.count == name.count && $0.elementsEqual(name) }) {
                    storage.removeSubrange(nameStart...)
                    continue
                }
                if name.elementsEqual("host".utf8) { hasHost = true }
                if let problem = appendCanonicalValue(header.value, to: &storage) {
                    throw .invalidHeaderValue(problem, name: header.name)
                }
                entries.append(Entry(name: nameStart..<valueStart, value: valueStart..<storage.count, order: index))
            }
            guard hasHost else { throw .missingHost() }
        }
    }

    /// Appends the name lowercased; false when it is empty or not an HTTP token.
    private static func appendLowercasedName(_ name: String, to storage: inout [UInt8]) -> Bool {
        SigV4Encoding.withUTF8(of: name) { bytes in
            guard !bytes.isEmpty, bytes.allSatisfy(SigV4Encoding.isTokenByte) else { return false }
            let start = storage.count
            storage.append(contentsOf: bytes)
            for index in start..<storage.count {
                storage[index] = SigV4Encoding.lowercasedASCII(storage[index])
            }
            return true
        }
    }

    /// Appends the value trimmed, with every run of spaces, tabs and folded line breaks
    /// written as one space, copying the words in between at once. A line break must be a
    /// fold (followed by a space or tab); any other control character is refused. Returns
    /// what is wrong, or nil.
    private static func appendCanonicalValue(_ value: String, to storage: inout [UInt8]) -> String? {
        SigV4Encoding.withUTF8(of: value) { bytes -> String? in
            if bytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) {
                storage.append(contentsOf: bytes)
                return nil
            }
            var wordStart: Int?
            var hasWords = false
            for index in 0...bytes.count {
                let byte = index < bytes.count ? bytes[index] : UInt8(ascii: " ")
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                    if let problem = lineBreakProblem(in: bytes, at: index) { return problem }
                    guard let start = wordStart else { continue }
                    if hasWords { storage.append(UInt8(ascii: " ")) }
                    storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    hasWords = true
                    wordStart = nil
                case 0x00..<0x20, 0x7F:
                    return "a header value must not hold control characters"
                default:
                    if wordStart == nil { wordStart = index }
                }
            }
            return nil
        }
    }

    /// Why a CR or LF at `index` is not part of a line fold (CRLF or LF, then a space or tab).
    @inline(__always)
    private static func lineBreakProblem(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> String? {
        guard index < bytes.count else { return nil }
        let next = index + 1 < bytes.count ? bytes[index + 1] : nil
        switch bytes[index] {
        case UInt8(ascii: "\r") where next != UInt8(ascii: "\n"):
            return "a line break in a header value must be CRLF or LF"
        case UInt8(ascii: "\n") where next != UInt8(ascii: " ") && next != UInt8(ascii: "\t"):
            return "a line break in a header value must be followed by a space or tab"
        default:
            return nil
        }
    }
}
