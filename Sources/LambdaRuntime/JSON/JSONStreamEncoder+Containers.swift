import FoundationEssentials

/// The `Encoder` a value encodes itself into: its container is opened in the writer at the
/// next depth and stays open until the value is done (``encodeValue(_:)`` closes it).
struct StreamEncoder: Encoder {
    let writer: JSONStreamWriter
    /// The path to the container this value is in, and its key there: the path is made only
    /// when asked for (an error), not once per member.
    private let parentPath: [any CodingKey]
    private let key: (any CodingKey)?
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// The depth of this value's container once opened.
    private let ownDepth: Int

    init(writer: JSONStreamWriter, codingPath: [any CodingKey], key: (any CodingKey)? = nil) {
        self.writer = writer
        self.parentPath = codingPath
        self.key = key
        ownDepth = writer.depth + 1
    }

    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if writer.depth < ownDepth { writer.openObject() }
        return KeyedEncodingContainer(
            StreamKeyedContainer<Key>(writer: writer, depth: ownDepth, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if writer.depth < ownDepth { writer.openArray() }
        return StreamUnkeyedContainer(writer: writer, depth: ownDepth, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamSingleValueContainer(encoder: self)
    }

    /// Writes `value` where the writer stands: scalars directly, anything else through its
    /// own `encode(to:)`, then closes what it opened.
    func encodeValue<T: Encodable>(_ value: T) throws {
        switch value {
        case let text as String: writer.writeString(text)
        case let id as UUID: writer.writeUUID(id)
        case let flag as Bool: writer.writeBool(flag)
        case let number as Int: writer.writeNumber(String(number))
        case let number as Int64: writer.writeNumber(String(number))
        case let number as Double:
            guard number.isFinite else {
                throw EncodingError.invalidValue(
                    number, .init(codingPath: codingPath, debugDescription: "JSON has no \(number)"))
            }
            // Whole numbers without a fraction, as Foundation's encoder writes them (3, not 3.0).
            let isWhole = number.rounded() == number && abs(number) < 1e15
            writer.writeNumber(isWhole ? String(Int64(number)) : number.description)
        case let decimal as Decimal: writer.writeNumber(decimal.description)
        case let date as Date: writer.writeString(date.formatted(.iso8601))
        case let url as URL: writer.writeString(url.absoluteString)
        case let data as Data: writer.writeString(data.base64EncodedString())
        case let raw as RawJSON: writer.writeRaw(raw.bytes)
        case let dictionary as any StringKeyedDictionary:
            writer.openObject()
            let depth = writer.depth
            for (key, member) in dictionary.members.sorted(by: { $0.key < $1.key }) {
                writer.beginMember(key, atDepth: depth, isConverted: false)
                try StreamEncoder(writer: writer, codingPath: codingPath).encodeValue(member)
            }
            writer.close(deeperThan: depth - 1)
        default:
            let (depth, count) = (writer.depth, writer.bytes.count)
            try value.encode(to: StreamEncoder(writer: writer, codingPath: codingPath))
            if writer.bytes.count == count {
                writer.writeRaw(Array("{}".utf8))
            } else {
                writer.close(deeperThan: depth)
            }
        }
    }
}

/// A dictionary whose keys are strings: written as an object whose keys are data, never
/// converted, in sorted order.
protocol StringKeyedDictionary {
    var members: [(key: String, value: any Encodable)] { get }
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    var members: [(key: String, value: any Encodable)] { map { ($0.key, $0.value) } }
}

struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONStreamWriter
    let depth: Int
    let codingPath: [any CodingKey]

    private func begin(_ key: Key) -> StreamEncoder {
        writer.beginMember(key.stringValue, atDepth: depth)
        return StreamEncoder(writer: writer, codingPath: codingPath, key: key)
    }

    mutating func encodeNil(forKey key: Key) throws {
        writer.beginMember(key.stringValue, atDepth: depth)
        writer.writeNull()
    }

    // The common scalars written directly: the generic path tries a dozen casts first.
    mutating func encode(_ value: String, forKey key: Key) throws {
        writer.beginMember(key.stringValue, atDepth: depth)
        writer.writeString(value)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        writer.beginMember(key.stringValue, atDepth: depth)
        writer.writeBool(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        writer.beginMember(key.stringValue, atDepth: depth)
        writer.writeNumber(String(value))
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key).encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        begin(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        begin(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { begin(Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { begin(key) }
}

struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: JSONStreamWriter
    let depth: Int
    let codingPath: [any CodingKey]
    private(set) var count = 0

    init(writer: JSONStreamWriter, depth: Int, codingPath: [any CodingKey]) {
        self.writer = writer
        self.depth = depth
        self.codingPath = codingPath
    }

    private mutating func begin() -> StreamEncoder {
        writer.beginElement(atDepth: depth)
        count += 1
        return StreamEncoder(writer: writer, codingPath: codingPath)
    }

    mutating func encodeNil() throws {
        _ = begin()
        writer.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin().encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        begin().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        begin().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { begin() }
}

struct StreamSingleValueContainer: SingleValueEncodingContainer {
    let encoder: StreamEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.writer.writeNull() }
    mutating func encode(_ value: Bool) throws { encoder.writer.writeBool(value) }
    mutating func encode(_ value: String) throws { encoder.writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try encoder.encodeValue(value) }
    mutating func encode(_ value: Float) throws { try encoder.encodeValue(Double(value)) }
    mutating func encode(_ value: Int) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: Int8) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: Int16) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: Int32) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: Int64) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: UInt) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: UInt16) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: UInt32) throws { encoder.writer.writeNumber(String(value)) }
    mutating func encode(_ value: UInt64) throws { encoder.writer.writeNumber(String(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.encodeValue(value)
    }
}
