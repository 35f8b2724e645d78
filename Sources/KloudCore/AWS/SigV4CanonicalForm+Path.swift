/// The canonical URI.
extension SigV4CanonicalForm {
    /// The canonical URI: the wire path, optionally normalized, optionally encoded again.
    static func appendPath(
        _ path: String,
        isNormalized: Bool,
        isDoubleEncoded: Bool,
        to output: inout [UInt8]
    ) throws(SigV4Error) {
        guard !path.isEmpty else {
            output.append(UInt8(ascii: "/"))
            return
        }
        let problem = SigV4Encoding.withUTF8(of: path) { bytes -> SigV4Error? in
            if let problem = pathProblem(in: bytes, requiresEncoding: !isDoubleEncoded) { return problem }
            if isNormalized {
                let canonical = normalized(bytes)
                canonical.withUnsafeBufferPointer { appendPath($0, encoding: isDoubleEncoded, to: &output) }
            } else {
                appendPath(bytes, encoding: isDoubleEncoded, to: &output)
            }
            return nil
        }
        if let problem { throw problem }
    }

    @inline(__always)
    private static func appendPath(_ bytes: UnsafeBufferPointer<UInt8>, encoding: Bool, to output: inout [UInt8]) {
        if encoding {
            SigV4Encoding.appendEncoded(bytes, to: &output, keepingSlashes: true)
        } else {
            output.append(contentsOf: bytes)
        }
    }

    /// Rejects what cannot be a wire path. A path signed as sent (S3) must already be
    /// percent-encoded; a path encoded again may hold raw characters, as AWS's test suite does.
    private static func pathProblem(in bytes: UnsafeBufferPointer<UInt8>, requiresEncoding: Bool) -> SigV4Error? {
        guard bytes[0] == UInt8(ascii: "/") else { return .invalidPath("the path must start with '/'", offset: 0) }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x00..<0x20, 0x7F:
                return .invalidPath("the path must not hold control characters", offset: index)
            case UInt8(ascii: "?"), UInt8(ascii: "#"):
                return .invalidPath("the path must not hold '?' or '#'; pass query items separately", offset: index)
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.count, SigV4Encoding.hexValue(bytes[index + 1]) != nil,
                    SigV4Encoding.hexValue(bytes[index + 2]) != nil
                else {
                    return .invalidPath("a '%' in the path must start a %XX escape", offset: index)
                }
                index += 2
            default:
                if requiresEncoding && !isPathCharacter(byte) {
                    return .invalidPath("a path signed as sent must be percent-encoded", offset: index)
                }
            }
            index += 1
        }
        return nil
    }

    /// RFC 3986 `pchar` and `/`, without `%` (checked apart).
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        if SigV4Encoding.isUnreserved(byte) { return true }
        switch byte {
        case UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// Drops empty and `.` segments and lets `..` remove the segment before it. A trailing
    /// `/` is kept when the path ends with one and a segment remains: `//example//` becomes
    /// `/example/`, `/a/b/..` becomes `/a`. This is what AWS's suite expects and botocore does.
    static func normalized(_ path: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var segments: [Range<Int>] = []
        var start = 0
        for index in 0...path.count where index == path.count || path[index] == slash {
            let segment = start..<index
            start = index + 1
            switch segment.count {
            case 0:
                continue
            case 1 where path[segment.lowerBound] == dot:
                continue
            case 2 where path[segment.lowerBound] == dot && path[segment.lowerBound + 1] == dot:
                _ = segments.popLast()
            default:
                segments.append(segment)
            }
        }
        var output: [UInt8] = [slash]
        output.reserveCapacity(path.count)
        for (position, segment) in segments.enumerated() {
            if position > 0 { output.append(slash) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: path[segment]))
        }
        if !segments.isEmpty && path.last == slash {
            output.append(slash)
        }
        return output
    }
}
