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

    func writeNull() { bytes.append(contentsOf: "null".utf8) }

    func writeBool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }

    /// A number as its shortest decimal text.
    func writeNumber(_ text: String) { bytes.append(contentsOf: text.utf8) }

    func writeRaw(_ text: [UInt8]) { bytes += text }

    /// `text` quoted, with `"`, `\` and control characters escaped (slashes are not).
    func writeString(_ text: String) { Self.appendQuoted(text, to: &bytes) }

    /// `id` quoted as `uuidString` writes it (uppercase hex, hyphenated). Written from its 16
    /// bytes: `uuidString` formats through `snprintf`, 3 % of a list call's CPU in the function.
    func writeUUID(_ id: UUID) {
        bytes.append(UInt8(ascii: "\""))
        withUnsafeBytes(of: id.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(Self.hexDigit(byte >> 4, letters: UInt8(ascii: "A")))
                bytes.append(Self.hexDigit(byte & 0xF, letters: UInt8(ascii: "A")))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // An index loop over the buffer, runs without escapes appended whole: a 6 MB body
            // is escaped in milliseconds even in a debug build (the sequence API took seconds
            // there), and a JSON text inside a JSON string (a response body) allocates nothing
            // per quote.
            var start = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                    appendEscape(of: byte, to: &output)
                    start = index + 1
                }
                index += 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(of byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: output.append(UInt8(ascii: "\""))
        case 0x5C: output.append(UInt8(ascii: "\\"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
            output.append(UInt8(ascii: "u"))
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "0"))
            output.append(hexDigit(byte >> 4))
            output.append(hexDigit(byte & 0xF))
        }
    }

    /// The hex digit of `value` (0-15), its letters from `letters` on (`a` or `A`).
    private static func hexDigit(_ value: UInt8, letters: UInt8 = UInt8(ascii: "a")) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : letters + value - 10
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
