import Crypto

/// The byte-level encodings SigV4 relies on: RFC 3986 percent-encoding, lowercase hex and
/// HTTP token checks, written over UTF-8 bytes so that signing never goes through
/// Foundation's character-set machinery.
enum SigV4Encoding {
    private static let upperHexDigits: StaticString = "0123456789ABCDEF"
    private static let lowerHexDigits: StaticString = "0123456789abcdef"

    /// Whether the byte is one of RFC 3986's unreserved characters `A-Z a-z 0-9 - . _ ~`.
    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Appends the bytes with every byte but the unreserved ones (and `/`, when kept) written
    /// as `%XX` with uppercase hex, as AWS's `UriEncode` does. Runs of bytes that need no
    /// escaping are copied at once.
    static func appendEncoded(
        _ bytes: UnsafeBufferPointer<UInt8>,
        to output: inout [UInt8],
        keepingSlashes: Bool = false
    ) {
        let slash = UInt8(ascii: "/")
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if isUnreserved(byte) || (keepingSlashes && byte == slash) { continue }
            if runStart < index {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            }
            output.append(UInt8(ascii: "%"))
            output.append(upperHexDigit(byte >> 4))
            output.append(upperHexDigit(byte & 0x0F))
            runStart = index + 1
        }
        if runStart < bytes.count {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
    }

    /// Appends the string's UTF-8 bytes percent-encoded; see the buffer variant.
    static func appendEncoded(_ string: String, to output: inout [UInt8], keepingSlashes: Bool = false) {
        withUTF8(of: string) { appendEncoded($0, to: &output, keepingSlashes: keepingSlashes) }
    }

    /// Calls `body` with the string's UTF-8 bytes in one contiguous buffer, copying only
    /// when the string is not stored as UTF-8 already (a bridged string).
    @inline(__always)
    static func withUTF8<Result>(of string: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) {
            return result
        }
        var copy = string
        return copy.withUTF8(body)
    }

    /// Whether any UTF-8 byte of the string satisfies the predicate.
    static func containsByte(in string: String, where predicate: (UInt8) -> Bool) -> Bool {
        withUTF8(of: string) { $0.contains(where: predicate) }
    }

    @inline(__always)
    private static func upperHexDigit(_ nibble: UInt8) -> UInt8 {
        upperHexDigits.utf8Start[Int(nibble)]
    }

    /// The bytes as lowercase hex, as SigV4 writes hashes and signatures.
    static func lowercaseHex(_ bytes: some Sequence<UInt8>, count: Int) -> String {
        String(unsafeUninitializedCapacity: count * 2) { buffer in
            let digits = lowerHexDigits.utf8Start
            var index = 0
            for byte in bytes {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    /// The lowercase hex SHA-256 of the bytes.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { lowercaseHex($0, count: $0.count) }
    }

    /// Decodes `%XX` escapes; nil when an escape is broken. `+` stays `+` (RFC 3986, not forms).
    static func percentDecoded(_ bytes: Substring.UTF8View) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                index = bytes.index(after: index)
                continue
            }
            let high = bytes.index(after: index)
            guard high != bytes.endIndex else { return nil }
            let low = bytes.index(after: high)
            guard low != bytes.endIndex, let h = hexValue(bytes[high]), let l = hexValue(bytes[low]) else {
                return nil
            }
            output.append(h << 4 | l)
            index = bytes.index(after: low)
        }
        return output
    }

    /// The value of a hex digit of either case, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The byte with ASCII `A-Z` folded to lowercase.
    @inline(__always)
    static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Whether the byte may appear in an HTTP token (RFC 9110 `tchar`): method and header names.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Whether the string is a non-empty HTTP token.
    static func isToken(_ string: String) -> Bool {
        !string.isEmpty && string.utf8.allSatisfy(isTokenByte)
    }
}
