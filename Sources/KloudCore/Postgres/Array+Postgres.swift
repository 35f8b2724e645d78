import FoundationEssentials

/// A Swift type whose arrays map to a Postgres array type.
///
/// Arrays of such elements are sent and read as one-dimensional Postgres
/// arrays without NULL elements. `UInt8` is the exception that makes
/// `[UInt8]` mean `bytea`, the way Swift code holds raw bytes.
public protocol PostgresArrayElement {
    /// The Postgres type of an array of this element.
    static var postgresArrayType: PostgresDataType { get }

    /// Appends an array of such elements in binary format.
    static func encodeArray(_ elements: [Self], into buffer: inout [UInt8])

    /// Decodes an array of such elements.
    static func decodeArray(from value: PostgresValue) throws -> [Self]
}

extension PostgresArrayElement where Self: PostgresEncodable & PostgresDecodable {
    /// Appends a one-dimensional array: dimensions, flags, element type, then
    /// each element prefixed by its length.
    public static func encodeArray(_ elements: [Self], into buffer: inout [UInt8]) {
        buffer.appendBigEndian(Int32(elements.isEmpty ? 0 : 1))
        buffer.appendBigEndian(Int32(0))
        buffer.appendBigEndian(Self.postgresType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.appendBigEndian(Int32(elements.count))
        buffer.appendBigEndian(Int32(1))
        for element in elements {
            let lengthOffset = buffer.count
            buffer.appendBigEndian(Int32(0))
            element.encode(into: &buffer)
            let length = Int32(buffer.count - lengthOffset - 4).bigEndian
            withUnsafeBytes(of: length) { bytes in
                buffer.replaceSubrange(lengthOffset..<(lengthOffset + 4), with: bytes)
            }
        }
    }

    /// Decodes a one-dimensional array (or an empty one) without NULL elements.
    public static func decodeArray(from value: PostgresValue) throws -> [Self] {
        guard let declaredElementType = value.type.elementType else {
            throw PostgresDecodingFailure.typeMismatch
        }
        var reader = PostgresBinaryReader(value.bytes)
        let dimensions = try reader.readInteger(as: Int32.self)
        _ = try reader.readInteger(as: Int32.self)
        let elementType = PostgresDataType(rawValue: try reader.readInteger(as: UInt32.self))
        guard elementType == declaredElementType else { throw PostgresDecodingFailure.malformed }
        if dimensions == 0 { return [] }
        guard dimensions == 1 else { throw PostgresDecodingFailure.typeMismatch }
        let count = try reader.readInteger(as: Int32.self)
        _ = try reader.readInteger(as: Int32.self)
        guard count >= 0 else { throw PostgresDecodingFailure.malformed }
        var elements: [Self] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            let length = try reader.readInteger(as: Int32.self)
            guard length >= 0 else { throw PostgresDecodingFailure.unexpectedNull }
            let bytes = try reader.readBytes(count: Int(length))
            elements.append(try Self.decode(from: PostgresValue(type: elementType, bytes: bytes)))
        }
        guard reader.isAtEnd else { throw PostgresDecodingFailure.malformed }
        return elements
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    /// The element's array type (`bytea` for `[UInt8]`).
    public static var postgresType: PostgresDataType { Element.postgresArrayType }

    /// Appends the array in binary format.
    public func encode(into buffer: inout [UInt8]) {
        Element.encodeArray(self, into: &buffer)
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    /// Decodes the element's array type (`bytea` for `[UInt8]`).
    public static func decode(from value: PostgresValue) throws -> [Element] {
        try Element.decodeArray(from: value)
    }
}

extension UInt8: PostgresArrayElement {
    /// `[UInt8]` is `bytea`.
    public static var postgresArrayType: PostgresDataType { .bytea }

    /// Appends the bytes as they are.
    public static func encodeArray(_ elements: [UInt8], into buffer: inout [UInt8]) {
        buffer.append(contentsOf: elements)
    }

    /// Decodes `bytea`.
    public static func decodeArray(from value: PostgresValue) throws -> [UInt8] {
        guard value.type == .bytea else { throw PostgresDecodingFailure.typeMismatch }
        return [UInt8](value.bytes)
    }
}

extension String: PostgresArrayElement {
    /// `[String]` is `text[]`.
    public static var postgresArrayType: PostgresDataType { .textArray }
}

extension Int: PostgresArrayElement {
    /// `[Int]` is `bigint[]`.
    public static var postgresArrayType: PostgresDataType { .int8Array }
}

extension Int64: PostgresArrayElement {
    /// `[Int64]` is `bigint[]`.
    public static var postgresArrayType: PostgresDataType { .int8Array }
}

extension Int32: PostgresArrayElement {
    /// `[Int32]` is `integer[]`.
    public static var postgresArrayType: PostgresDataType { .int4Array }
}

extension Bool: PostgresArrayElement {
    /// `[Bool]` is `boolean[]`.
    public static var postgresArrayType: PostgresDataType { .boolArray }
}

extension UUID: PostgresArrayElement {
    /// `[UUID]` is `uuid[]`.
    public static var postgresArrayType: PostgresDataType { .uuidArray }
}

extension Date: PostgresArrayElement {
    /// `[Date]` is `timestamptz[]`.
    public static var postgresArrayType: PostgresDataType { .timestamptzArray }
}
