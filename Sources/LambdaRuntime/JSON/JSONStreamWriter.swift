import FoundationEssentials

/// The bytes of one JSON text and the containers open in it, written front to back.
///
/// Values are written the moment they are encoded: no tree of values is built first, which is
/// what made Foundation's `JSONEncoder` the larger part of an MCP list call.
final class JSONStreamWriter {
    private enum Frame {
        case object(count: Int)
        case array(count: Int)
    }

    private(set) var bytes: [UInt8] = []
    private var frames: [Frame] = []
    private let keys: JSONStreamEncoder.KeyEncoding
    private var convertedKeys: [String: [UInt8]] = [:]

    init(keys: JSONStreamEncoder.KeyEncoding) {
        self.keys = keys
        bytes.reserveCapacity(4096)
    }

    /// How many containers are open.
    var depth: Int { frames.count }

    // MARK: - Containers

    func openObject() {
        bytes.append(UInt8(ascii: "{"))
        frames.append(.object(count: 0))
    }

    func openArray() {
        bytes.append(UInt8(ascii: "["))
        frames.append(.array(count: 0))
    }

    /// Closes every container deeper than `depth`.
    func close(deeperThan depth: Int) {
        while frames.count > depth {
            switch frames.removeLast() {
            case .object: bytes.append(UInt8(ascii: "}"))
            case .array: bytes.append(UInt8(ascii: "]"))
            }
        }
    }

    /// Starts a member of the object at `depth` (1-based): closes what is open inside it, then
    /// writes the separator and the key. `isConverted` applies the key encoding (field names
    /// are converted, a dictionary's keys are data and are not).
    func beginMember(_ key: String, atDepth depth: Int, isConverted: Bool = true) {
        close(deeperThan: depth)
        guard case .object(let count) = frames[depth - 1] else { preconditionFailure("not an object") }
        frames[depth - 1] = .object(count: count + 1)
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        if isConverted, keys == .snakeCase {
            bytes += convertedKey(key)
        } else {
            writeString(key)
        }
        bytes.append(UInt8(ascii: ":"))
    }

    /// Starts an element of the array at `depth` (1-based).
    func beginElement(atDepth depth: Int) {
        close(deeperThan: depth)
        guard case .array(let count) = frames[depth - 1] else { preconditionFailure("not an array") }
        frames[depth - 1] = .array(count: count + 1)
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
    }

    // MARK: - Values

    func writeNull() { bytes += Array("null".utf8) }

    func writeBool(_ value: Bool) { bytes += Array((value ? "true" : "false").utf8) }

    /// A number as its shortest decimal text.
    func writeNumber(_ text: String) { bytes += Array(text.utf8) }

    func writeRaw(_ text: [UInt8]) { bytes += text }

    /// `text` quoted, with `"`, `\` and control characters escaped (slashes are not).
    func writeString(_ text: String) { Self.appendQuoted(text, to: &bytes) }

    private static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                output += utf8[start..<index]
                output += escape(byte)
                start = index + 1
            }
            output += utf8[start..<utf8.count]
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case 0x22: return Array(#"\""#.utf8)
        case 0x5C: return Array(#"\\"#.utf8)
        case 0x0A: return Array(#"\n"#.utf8)
        case 0x0D: return Array(#"\r"#.utf8)
        case 0x09: return Array(#"\t"#.utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            return Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        }
    }

    /// The quoted snake_case form of a field name, converted once per encoding.
    private func convertedKey(_ key: String) -> [UInt8] {
        if let known = convertedKeys[key] { return known }
        var converted: [UInt8] = []
        Self.appendQuoted(JSONStreamEncoder.snakeCase(key), to: &converted)
        convertedKeys[key] = converted
        return converted
    }
}
