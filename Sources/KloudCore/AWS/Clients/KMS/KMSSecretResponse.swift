/// Reads a KMS response that carries a plaintext key (`GenerateDataKey`, `Decrypt`) without
/// a JSON decoder, so the plaintext goes from the response body straight into
/// ``SecretBytes`` and the body can then be wiped: no decoder keeps a copy of it.
///
/// It reads the top-level string members of one JSON object; other members are skipped,
/// nested values included. Any malformed input yields nil, never a trap.
struct KMSSecretResponse {
    private let body: [UInt8]
    private var members: [String: Range<Int>] = [:]

    /// Scans the object's top-level members; nil when the body is not one JSON object.
    init?(body: [UInt8]) {
        self.body = body
        var index = skipWhitespace(0)
        guard index < body.count, body[index] == UInt8(ascii: "{") else { return nil }
        index = skipWhitespace(index + 1)
        if index < body.count, body[index] == UInt8(ascii: "}") { return }
        while true {
            guard let key = stringRange(at: index) else { return nil }
            index = skipWhitespace(key.upperBound + 1)
            guard index < body.count, body[index] == UInt8(ascii: ":") else { return nil }
            index = skipWhitespace(index + 1)
            guard index < body.count else { return nil }
            let name = String(decoding: body[key], as: UTF8.self)
            if body[index] == UInt8(ascii: "\"") {
                guard let value = stringRange(at: index) else { return nil }
                members[name] = value
                index = value.upperBound + 1
            } else {
                guard let end = endOfValue(at: index) else { return nil }
                index = end
            }
            index = skipWhitespace(index)
            guard index < body.count else { return nil }
            if body[index] == UInt8(ascii: "}") { break }
            guard body[index] == UInt8(ascii: ",") else { return nil }
            index = skipWhitespace(index + 1)
        }
    }

    /// A string member's text; nil when absent or holding escapes other than `\/`.
    func string(_ name: String) -> String? {
        guard let range = members[name] else { return nil }
        let bytes = unescaped(body[range])
        return bytes.flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// A base64 string member decoded into secret memory; the unescaped copy is wiped.
    func secret(_ name: String) -> SecretBytes? {
        guard let range = members[name], var bytes = unescaped(body[range]) else { return nil }
        defer { SecretBytes.wipe(&bytes) }
        return bytes.withUnsafeBytes { SecretBytes.decodingBase64($0) }
    }

    /// A base64 string member decoded into an ordinary array (ciphertext, not secret).
    func base64(_ name: String) -> [UInt8]? {
        guard let range = members[name], let bytes = unescaped(body[range]) else { return nil }
        let secret = bytes.withUnsafeBytes { SecretBytes.decodingBase64($0) }
        return secret?.withUnsafeBytes { Array($0) }
    }

    // MARK: - Scanning

    private func skipWhitespace(_ start: Int) -> Int {
        var index = start
        while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 }
        return index
    }

    /// The range inside the quotes of the string starting at `index`.
    private func stringRange(at index: Int) -> Range<Int>? {
        guard index < body.count, body[index] == UInt8(ascii: "\"") else { return nil }
        var position = index + 1
        while position < body.count {
            switch body[position] {
            case UInt8(ascii: "\\"): position += 2
            case UInt8(ascii: "\""): return (index + 1)..<position
            case 0x00..<0x20: return nil
            default: position += 1
            }
        }
        return nil
    }

    /// The index just after the number, literal, object or array starting at `index`.
    private func endOfValue(at index: Int) -> Int? {
        var position = index
        var depth = 0
        while position < body.count {
            let byte = body[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = stringRange(at: position) else { return nil }
                position = string.upperBound + 1
                if depth == 0 { return position }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth <= 32 else { return nil }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return position > index ? position : nil }
                depth -= 1
                if depth == 0 { return position + 1 }
            case UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D:
                if depth == 0 { return position > index ? position : nil }
            default:
                break
            }
            position += 1
        }
        return depth == 0 ? position : nil
    }

    /// The bytes with `\/` turned into `/`; nil for any other escape (KMS sends none).
    private func unescaped(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\\") {
                guard index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "/") else { return nil }
                output.append(UInt8(ascii: "/"))
                index += 2
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}
