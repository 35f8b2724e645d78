/// Why a text is not JSON, and where (RFC 8259).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The byte offset where reading stopped.
    public var offset: Int
    public var reason: String

    public var description: String { "not JSON at byte \(offset): \(reason)" }
}

/// Reads a JSON text (RFC 8259, strict: no comments, no trailing commas, which `JSONDecoder`
/// lets through, UTF-8) into a ``JSONValue`` in one pass over its bytes.
///
/// Decoding a `JSONValue` through `JSONDecoder` tries each kind of value in turn, throwing on
/// every miss, and unescapes a string by appending each run between escapes to a `String`: a
/// gateway response whose body is a 40 KB JSON text (a quote escaped every few bytes) took
/// about a millisecond that way. Here a string is unescaped into one byte buffer and
/// validated as UTF-8 once.
struct JSONParser: ~Copyable {
    /// Deeper nesting is refused rather than risking the stack (`JSONDecoder`'s limit too).
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one value `text` holds, with nothing but whitespace around it.
    static func parse(_ text: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(text)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.position == text.count else { throw parser.failure("unexpected text after the value") }
        return value
    }

    private func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: position, reason: reason)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func value() throws(JSONParseError) -> JSONValue {
        guard let first = current else { throw failure("the text ends where a value should be") }
        switch first {
        case UInt8(ascii: "{"):
            return try nested { (parser: inout JSONParser) throws(JSONParseError) in try parser.object() }
        case UInt8(ascii: "["):
            return try nested { (parser: inout JSONParser) throws(JSONParseError) in try parser.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("a value cannot start here")
        }
    }

    private mutating func nested(
        _ read: (inout JSONParser) throws(JSONParseError) -> JSONValue
    ) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        depth += 1
        defer { depth -= 1 }
        return try read(&self)
    }

    private mutating func object() throws(JSONParseError) -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failure("an object's member must start with a name") }
            let name = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("a member's name must be followed by ':'") }
            position += 1
            skipWhitespace()
            let member = try value()
            // The first of two members with one name counts, as with `JSONDecoder`.
            if members[name] == nil { members[name] = member }
            if try isClosed(by: UInt8(ascii: "}"), in: "an object") { return .object(members) }
        }
    }

    private mutating func array() throws(JSONParseError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try value())
            if try isClosed(by: UInt8(ascii: "]"), in: "an array") { return .array(elements) }
        }
    }

    /// After a member or an element: true at the container's closing bracket, false after a comma.
    private mutating func isClosed(by bracket: UInt8, in container: String) throws(JSONParseError) -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ",")?:
            position += 1
            skipWhitespace()
            return false
        case bracket?:
            position += 1
            return true
        default: throw failure("expected ',' or '\(Character(Unicode.Scalar(bracket)))' in \(container)")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count,
            UnsafeBufferPointer(start: word.utf8Start, count: length).elementsEqual(
                bytes[position..<(position + length)])
        else { throw failure("a value cannot start here") }
        position += length
        return value
    }

    /// A number as the grammar allows it: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    private mutating func number() throws(JSONParseError) -> Double {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard try digits() > 0 else { throw failure("a number needs a digit") }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard try digits() > 0 else { throw failure("a number needs a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard try digits() > 0 else { throw failure("a number needs a digit in its exponent") }
        }
        guard let number = Double(String(decoding: bytes[start..<position], as: UTF8.self)), number.isFinite else {
            throw JSONParseError(offset: start, reason: "the number is out of range")
        }
        return number
    }

    private mutating func digits() throws(JSONParseError) -> Int {
        let start = position
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    /// A string: runs without escapes are copied as they are, escapes decoded, and the whole
    /// checked as UTF-8 once.
    private mutating func string() throws(JSONParseError) -> String {
        position += 1
        let start = position
        var unescaped: [UInt8] = []
        var runStart = start
        while true {
            guard let byte = current else { throw failure("a string is not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                let run = bytes[runStart..<position]
                position += 1
                if runStart == start { return try text(run, startingAt: start) }
                unescaped.append(contentsOf: run)
                return try unescaped.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    try text(buffer[...], startingAt: start)
                }
            case UInt8(ascii: "\\"):
                unescaped.append(contentsOf: bytes[runStart..<position])
                position += 1
                try escape(into: &unescaped)
                runStart = position
            case 0..<0x20:
                throw failure("a control character must be escaped in a string")
            default:
                position += 1
            }
        }
    }

    private func text(_ utf8: Slice<UnsafeBufferPointer<UInt8>>, startingAt start: Int) throws(JSONParseError) -> String
    {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw JSONParseError(offset: start, reason: "a string is not UTF-8")
        }
        return text
    }

    private mutating func escape(into output: inout [UInt8]) throws(JSONParseError) {
        guard let byte = current else { throw failure("a string is not closed") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hexQuad())
            if (0xD800..<0xDC00).contains(scalar) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw failure("a high surrogate must be followed by a low one") }
                position += 2
                let low = UInt32(try hexQuad())
                guard (0xDC00..<0xE000).contains(low) else {
                    throw failure("a high surrogate must be followed by a low one")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure("a low surrogate without a high one")
            }
            guard let character = Unicode.Scalar(scalar) else { throw failure("not a Unicode scalar") }
            UTF8.encode(character) { output.append($0) }
        default:
            throw failure("unknown escape in a string")
        }
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw failure("a \\u escape needs four hex digits") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}

extension JSONValue {
    /// The value of a JSON text (RFC 8259); throws where the text is not JSON.
    public init(parsing text: some Collection<UInt8>) throws(JSONParseError) {
        let parsed = text.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try JSONParser.parse(buffer) }
        }
        switch parsed
            ?? Array(text).withUnsafeBufferPointer({ buffer in
                Result { () throws(JSONParseError) in try JSONParser.parse(buffer) }
            })
        {
        case .success(let value): self = value
        case .failure(let error): throw error
        }
    }
}
