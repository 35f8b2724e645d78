/// A small, strict XML reader for AWS responses: elements, attributes, text, the five
/// predefined entities and numeric character references, CDATA, comments and processing
/// instructions.
///
/// It refuses what AWS never sends and what makes XML parsers dangerous: a DOCTYPE (and with
/// it every custom entity), nesting deeper than ``maximumDepth``, and bytes that are not UTF-8.
/// It never recurses, so no input can exhaust the stack; any malformed or truncated input
/// throws ``XMLSyntaxError``.
struct XMLReader {
    /// The deepest nesting accepted; AWS documents stay under ten levels.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a whole document and returns its root element.
    static func parse(_ bytes: [UInt8]) throws(XMLSyntaxError) -> XMLElement {
        var reader = XMLReader(bytes)
        return try reader.document()
    }

    // MARK: - Document

    private mutating func document() throws(XMLSyntaxError) -> XMLElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try skipMisc()
        guard index < bytes.count else { throw fail("the document has no root element") }
        guard bytes[index] == UInt8(ascii: "<") else { throw fail("text before the root element") }
        let root = try element()
        try skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Skips whitespace, comments and processing instructions outside the root element.
    private mutating func skipMisc() throws(XMLSyntaxError) {
        while index < bytes.count {
            if Self.isWhitespace(bytes[index]) {
                index += 1
            } else if hasPrefix("<?") {
                try skip(past: "?>", what: "processing instruction")
            } else if hasPrefix("<!--") {
                try skip(past: "-->", what: "comment")
            } else if hasPrefix("<!") {
                throw fail("DOCTYPE and markup declarations are not accepted")
            } else {
                return
            }
        }
    }

    // MARK: - Elements

    /// An element being read, with the raw bytes of its own text.
    private struct OpenElement {
        var element: XMLElement
        var qualifiedName: [UInt8]
        var text: [UInt8] = []
    }

    /// Reads the element starting at `<` and everything inside it, with an explicit stack.
    private mutating func element() throws(XMLSyntaxError) -> XMLElement {
        var stack: [OpenElement] = []
        while true {
            guard index < bytes.count else { throw fail("the document ends inside an element") }
            if bytes[index] == UInt8(ascii: "<") {
                if hasPrefix("</") {
                    let closed = try endTag(closing: stack.popLast())
                    guard !stack.isEmpty else { return closed }
                    stack[stack.count - 1].element.children.append(closed)
                } else if hasPrefix("<!--") {
                    try skip(past: "-->", what: "comment")
                } else if hasPrefix("<![CDATA[") {
                    guard !stack.isEmpty else { throw fail("CDATA outside an element") }
                    let content = try cdata()
                    stack[stack.count - 1].text.append(contentsOf: content)
                } else if hasPrefix("<?") {
                    try skip(past: "?>", what: "processing instruction")
                } else if hasPrefix("<!") {
                    throw fail("markup declarations are not accepted")
                } else {
                    guard stack.count < Self.maximumDepth else { throw fail("elements nest too deeply") }
                    let (open, isEmpty) = try startTag()
                    if isEmpty {
                        guard !stack.isEmpty else { return open.element }
                        stack[stack.count - 1].element.children.append(open.element)
                    } else {
                        stack.append(open)
                    }
                }
            } else {
                guard !stack.isEmpty else { throw fail("text outside an element") }
                let text = try characterData()
                stack[stack.count - 1].text.append(contentsOf: text)
            }
        }
    }

    /// Reads `<name attr="value" ...>` or `<name .../>`.
    private mutating func startTag() throws(XMLSyntaxError) -> (OpenElement, isEmpty: Bool) {
        index += 1
        let qualifiedName = try name()
        var attributes: [String: String] = [:]
        while true {
            let hadSpace = skipWhitespace()
            guard index < bytes.count else { throw fail("the document ends inside a tag") }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                let element = XMLElement(name: try Self.localName(qualifiedName, at: index), attributes: attributes)
                return (OpenElement(element: element, qualifiedName: qualifiedName), false)
            }
            if hasPrefix("/>") {
                index += 2
                let element = XMLElement(name: try Self.localName(qualifiedName, at: index), attributes: attributes)
                return (OpenElement(element: element, qualifiedName: qualifiedName), true)
            }
            guard hadSpace else { throw fail("attributes must be separated by whitespace") }
            let attributeName = try Self.string(try name(), at: index)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("an attribute needs '='") }
            index += 1
            skipWhitespace()
            let value = try Self.string(try attributeValue(), at: index)
            guard attributes.updateValue(value, forKey: attributeName) == nil else {
                throw fail("an attribute is repeated")
            }
        }
    }

    /// Reads `</name>` and closes `open`, whose name it must repeat.
    private mutating func endTag(closing open: OpenElement?) throws(XMLSyntaxError) -> XMLElement {
        index += 2
        let closingName = try name()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("an end tag is not closed") }
        index += 1
        guard var open, open.qualifiedName == closingName else { throw fail("an end tag does not match its start tag") }
        open.element.text = try Self.string(open.text, at: index)
        return open.element
    }

    private mutating func name() throws(XMLSyntaxError) -> [UInt8] {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index > start else { throw fail("a name is missing") }
        let first = bytes[start]
        guard !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first), first != UInt8(ascii: "-"),
            first != UInt8(ascii: ".")
        else { throw fail("a name starts with a digit, '-' or '.'") }
        return Array(bytes[start..<index])
    }

    private mutating func attributeValue() throws(XMLSyntaxError) -> [UInt8] {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw fail("an attribute value must be quoted")
        }
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("the document ends inside an attribute value") }
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return value
            }
            if byte == UInt8(ascii: "<") { throw fail("'<' inside an attribute value") }
            if byte == UInt8(ascii: "&") {
                try reference(into: &value)
            } else {
                value.append(byte)
                index += 1
            }
        }
    }

    // MARK: - Character data

    /// Reads text up to the next `<`, decoding references.
    private mutating func characterData() throws(XMLSyntaxError) -> [UInt8] {
        var text: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
            if bytes[index] == UInt8(ascii: "&") {
                try reference(into: &text)
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
        return text
    }

    private mutating func cdata() throws(XMLSyntaxError) -> ArraySlice<UInt8> {
        index += 9
        let start = index
        guard let end = find("]]>") else { throw fail("a CDATA section is not closed") }
        index = end + 3
        return bytes[start..<end]
    }

    /// Decodes `&name;` or `&#...;` at `index` and appends the character's UTF-8 bytes.
    private mutating func reference(into output: inout [UInt8]) throws(XMLSyntaxError) {
        let start = index + 1
        var end = start
        while end < bytes.count, end - start < 12, bytes[end] != UInt8(ascii: ";") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else {
            throw fail("an entity reference is not closed")
        }
        let body = bytes[start..<end]
        index = end + 1
        switch String(decoding: body, as: UTF8.self) {
        case "lt": output.append(UInt8(ascii: "<"))
        case "gt": output.append(UInt8(ascii: ">"))
        case "amp": output.append(UInt8(ascii: "&"))
        case "apos": output.append(UInt8(ascii: "'"))
        case "quot": output.append(UInt8(ascii: "\""))
        case let text where text.hasPrefix("#"):
            let isHex = text.hasPrefix("#x")
            guard let value = UInt32(text.dropFirst(isHex ? 2 : 1), radix: isHex ? 16 : 10),
                let scalar = Unicode.Scalar(value), Self.isXMLCharacter(value)
            else { throw fail("a character reference names no valid character") }
            output.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw fail("an entity reference names an unknown entity")
        }
    }

    // MARK: - Helpers

    private func hasPrefix(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != prefix.utf8Start[offset] { return false }
        return true
    }

    /// The position of the next `marker` at or after `index`.
    private func find(_ marker: StaticString) -> Int? {
        let count = marker.utf8CodeUnitCount
        var position = index
        while position + count <= bytes.count {
            var matches = true
            for offset in 0..<count where bytes[position + offset] != marker.utf8Start[offset] {
                matches = false
                break
            }
            if matches { return position }
            position += 1
        }
        return nil
    }

    private mutating func skip(past marker: StaticString, what: String) throws(XMLSyntaxError) {
        guard let end = find(marker) else { throw fail("a \(what) is not closed") }
        index = end + marker.utf8CodeUnitCount
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
        return index > start
    }

    private func fail(_ reason: String) -> XMLSyntaxError {
        XMLSyntaxError(reason: reason, offset: min(index, bytes.count))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: ":"), 0x80...0xFF:
            true
        default:
            false
        }
    }

    private static func isXMLCharacter(_ value: UInt32) -> Bool {
        value == 0x09 || value == 0x0A || value == 0x0D || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
    }

    /// The name after the namespace prefix, if any.
    private static func localName(_ qualified: [UInt8], at offset: Int) throws(XMLSyntaxError) -> String {
        let local = qualified.lastIndex(of: UInt8(ascii: ":")).map { Array(qualified[($0 + 1)...]) } ?? qualified
        guard !local.isEmpty else { throw XMLSyntaxError(reason: "a name ends with ':'", offset: offset) }
        return try string(local, at: offset)
    }

    /// The bytes as a string; refuses bytes that are not UTF-8 and control characters XML forbids.
    private static func string(_ bytes: some Collection<UInt8>, at offset: Int) throws(XMLSyntaxError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw XMLSyntaxError(reason: "the document is not UTF-8", offset: offset)
        }
        guard !text.unicodeScalars.contains(where: { !isXMLCharacter($0.value) }) else {
            throw XMLSyntaxError(reason: "the document holds a character XML forbids", offset: offset)
        }
        return text
    }
}

/// Why a document is not well-formed XML (or not XML this reader accepts).
struct XMLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A fixed sentence naming the problem.
    let reason: String
    /// The byte offset where the problem was found.
    let offset: Int

    var description: String { "malformed XML at byte \(offset): \(reason)" }
}
