/// One non-null value of a result row, as the server sent it in binary format.
///
/// The bytes are only valid during the ``PostgresDecodable/decode(from:)`` call.
public struct PostgresValue {
    /// The column's type.
    public let type: PostgresDataType
    /// The value in the binary format of ``type``.
    public let bytes: UnsafeRawBufferPointer
}

/// Why a value could not be decoded; ``PostgresRow`` adds the column and type.
public enum PostgresDecodingFailure: Error, Sendable, Hashable {
    /// The column's Postgres type cannot become the requested Swift type.
    case typeMismatch
    /// The column is NULL and the requested type is not optional.
    case unexpectedNull
    /// The bytes are not a valid value of the column's type.
    case malformed
    /// The value does not fit the requested type (too large, or too precise).
    case outOfRange
    /// The row has no column of the requested name.
    case noSuchColumn
    /// The row has a different number of columns than types were given.
    case columnCountMismatch

    /// The stable snake_case name of the failure.
    public var code: String {
        switch self {
        case .typeMismatch: "type_mismatch"
        case .unexpectedNull: "unexpected_null"
        case .malformed: "malformed_value"
        case .outOfRange: "out_of_range"
        case .noSuchColumn: "no_such_column"
        case .columnCountMismatch: "column_count_mismatch"
        }
    }
}

/// A Swift type that a result column can be decoded into.
public protocol PostgresDecodable {
    /// Decodes a non-null value, checking that its Postgres type fits.
    static func decode(from value: PostgresValue) throws -> Self

    /// The value for SQL NULL; non-optional types throw ``PostgresDecodingFailure/unexpectedNull``.
    static func decodeNull() throws -> Self
}

extension PostgresDecodable {
    /// Refuses NULL.
    public static func decodeNull() throws -> Self {
        throw PostgresDecodingFailure.unexpectedNull
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    /// Decodes the wrapped type.
    public static func decode(from value: PostgresValue) throws -> Wrapped? {
        try Wrapped.decode(from: value)
    }

    /// NULL is `nil`.
    public static func decodeNull() throws -> Wrapped? {
        nil
    }
}

// MARK: - Conformances

extension String: PostgresDecodable {
    private static let textTypes: Set<PostgresDataType> = [.text, .varchar, .bpchar, .name, .char, .unknown]

    /// Decodes `text`, `varchar`, `char(n)`, `name` and `"char"`.
    public static func decode(from value: PostgresValue) throws -> String {
        guard textTypes.contains(value.type) else { throw PostgresDecodingFailure.typeMismatch }
        return String(decoding: value.bytes, as: UTF8.self)
    }
}

extension Int64: PostgresDecodable {
    /// Decodes `smallint`, `integer` and `bigint`.
    public static func decode(from value: PostgresValue) throws -> Int64 {
        var reader = PostgresBinaryReader(value.bytes)
        let result: Int64
        switch value.type {
        case .int8: result = try reader.readInteger(as: Int64.self)
        case .int4: result = Int64(try reader.readInteger(as: Int32.self))
        case .int2: result = Int64(try reader.readInteger(as: Int16.self))
        default: throw PostgresDecodingFailure.typeMismatch
        }
        guard reader.isAtEnd else { throw PostgresDecodingFailure.malformed }
        return result
    }
}

extension Int: PostgresDecodable {
    /// Decodes `smallint`, `integer` and `bigint`.
    public static func decode(from value: PostgresValue) throws -> Int {
        Int(try Int64.decode(from: value))
    }
}

extension Int32: PostgresDecodable {
    /// Decodes `smallint` and `integer`; a `bigint` column is a type mismatch.
    public static func decode(from value: PostgresValue) throws -> Int32 {
        guard value.type == .int4 || value.type == .int2 else { throw PostgresDecodingFailure.typeMismatch }
        return Int32(try Int64.decode(from: value))
    }
}

extension Bool: PostgresDecodable {
    /// Decodes `boolean`.
    public static func decode(from value: PostgresValue) throws -> Bool {
        guard value.type == .bool else { throw PostgresDecodingFailure.typeMismatch }
        guard value.bytes.count == 1 else { throw PostgresDecodingFailure.malformed }
        return value.bytes[0] != 0
    }
}

extension Double: PostgresDecodable {
    /// Decodes `real` and `double precision`; `numeric` is a type mismatch (use ``Money``).
    public static func decode(from value: PostgresValue) throws -> Double {
        var reader = PostgresBinaryReader(value.bytes)
        switch value.type {
        case .float8: return Double(bitPattern: try reader.readInteger(as: UInt64.self))
        case .float4: return Double(Float(bitPattern: try reader.readInteger(as: UInt32.self)))
        default: throw PostgresDecodingFailure.typeMismatch
        }
    }
}
