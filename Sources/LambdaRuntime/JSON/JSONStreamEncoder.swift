import FoundationEssentials

/// Encodes `Encodable` values to JSON text in one pass, writing each value as it is met.
///
/// The output is what `JSONEncoder` with `.withoutEscapingSlashes` and `.iso8601` dates
/// writes, except that an object's keys keep the order in which they were encoded. A
/// ``RawJSON`` inside the value is copied in as it is. Measured on `list_resources` (50
/// rows), Foundation's encoder built a tree of values and then wrote it, and took about
/// half of the call.
public struct JSONStreamEncoder: Sendable {
    /// How field names are written.
    public enum KeyEncoding: Sendable {
        /// As declared.
        case asDeclared
        /// In snake_case, as `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` writes them;
        /// a dictionary's keys are data and stay as they are.
        case snakeCase
    }

    public var keys: KeyEncoding

    public init(keys: KeyEncoding = .asDeclared) {
        self.keys = keys
    }

    /// `value` as JSON text.
    public func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = JSONStreamWriter(keys: keys)
        try StreamEncoder(writer: writer, codingPath: []).encodeValue(value)
        return writer.bytes
    }

    /// `key` in snake_case: words split where the case changes, a run of capitals kept as one
    /// word (`cloudAccountID` → `cloud_account_id`, `myURLValue` → `my_url_value`).
    public static func snakeCase(_ key: String) -> String {
        let characters = Array(key.utf8)
        guard !characters.isEmpty else { return key }
        let isUpper = { (byte: UInt8) in (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
        let isLower = { (byte: UInt8) in (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
        var words: [Range<Int>] = []
        var wordStart = 0
        var searchStart = 1
        while let upper = (searchStart..<characters.count).first(where: { isUpper(characters[$0]) }) {
            words.append(wordStart..<upper)
            guard let lower = (upper..<characters.count).first(where: { isLower(characters[$0]) }) else {
                wordStart = upper
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
            searchStart = lower + 1
        }
        words.append(wordStart..<characters.count)
        return words.map { String(decoding: characters[$0], as: UTF8.self).lowercased() }.joined(separator: "_")
    }
}
