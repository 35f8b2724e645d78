/// A Swift value that can be sent to Postgres as a query parameter.
///
/// Values are sent in Postgres's binary format with an explicit type, so the
/// server never parses them as SQL and never has to guess their type.
public protocol PostgresEncodable {
    /// The Postgres type the value is sent as.
    static var postgresType: PostgresDataType { get }

    /// Appends the value in the binary format of ``postgresType``.
    func encode(into buffer: inout [UInt8])
}

// MARK: - Conformances

extension String: PostgresEncodable {
    /// Strings are sent as `text`.
    public static var postgresType: PostgresDataType { .text }

    /// Appends the UTF-8 bytes.
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: utf8)
    }
}

extension Int: PostgresEncodable {
    /// `Int` is sent as `bigint`.
    public static var postgresType: PostgresDataType { .int8 }

    /// Appends eight big-endian bytes.
    public func encode(into buffer: inout [UInt8]) {
        buffer.appendBigEndian(Int64(self))
    }
}

extension Int64: PostgresEncodable {
    /// `Int64` is sent as `bigint`.
    public static var postgresType: PostgresDataType { .int8 }

    /// Appends eight big-endian bytes.
    public func encode(into buffer: inout [UInt8]) {
        buffer.appendBigEndian(self)
    }
}

extension Int32: PostgresEncodable {
    /// `Int32` is sent as `integer`.
    public static var postgresType: PostgresDataType { .int4 }

    /// Appends four big-endian bytes.
    public func encode(into buffer: inout [UInt8]) {
        buffer.appendBigEndian(self)
    }
}

extension Bool: PostgresEncodable {
    /// `Bool` is sent as `boolean`.
    public static var postgresType: PostgresDataType { .bool }

    /// Appends one byte, 1 for true.
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(self ? 1 : 0)
    }
}

extension Double: PostgresEncodable {
    /// `Double` is sent as `double precision`; money never is (see ``Money``).
    public static var postgresType: PostgresDataType { .float8 }

    /// Appends the IEEE 754 bits, big-endian.
    public func encode(into buffer: inout [UInt8]) {
        buffer.appendBigEndian(bitPattern)
    }
}
