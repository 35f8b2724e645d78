import FoundationEssentials

// Binary encodings of the FoundationEssentials types KloudHub stores.

extension UUID: PostgresEncodable, PostgresDecodable {
    /// UUIDs are sent as `uuid`.
    public static var postgresType: PostgresDataType { .uuid }

    /// Appends the sixteen bytes.
    public func encode(into buffer: inout [UInt8]) {
        withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }

    /// Decodes `uuid`.
    public static func decode(from value: PostgresValue) throws -> UUID {
        guard value.type == .uuid else { throw PostgresDecodingFailure.typeMismatch }
        guard value.bytes.count == 16 else { throw PostgresDecodingFailure.malformed }
        return UUID(uuid: value.bytes.loadUnaligned(as: uuid_t.self))
    }
}

extension Date: PostgresEncodable, PostgresDecodable {
    /// Seconds from 1970-01-01 to Postgres's epoch, 2000-01-01 00:00 UTC.
    private static let postgresEpoch: Int64 = 946_684_800

    /// Dates are sent as `timestamptz`, in microseconds, so no time zone or
    /// date style setting of the server can change their meaning.
    public static var postgresType: PostgresDataType { .timestamptz }

    /// Appends microseconds since 2000-01-01 UTC, rounded to the nearest.
    public func encode(into buffer: inout [UInt8]) {
        let seconds = timeIntervalSince1970 - Double(Self.postgresEpoch)
        buffer.appendBigEndian(Int64((seconds * 1_000_000).rounded()))
    }

    /// Decodes `timestamptz` (and `date`, as midnight UTC); the infinities
    /// become `distantPast` and `distantFuture`.
    public static func decode(from value: PostgresValue) throws -> Date {
        var reader = PostgresBinaryReader(value.bytes)
        switch value.type {
        case .timestamptz:
            let micros = try reader.readInteger(as: Int64.self)
            if micros == .max { return .distantFuture }
            if micros == .min { return .distantPast }
            let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
            return Date(timeIntervalSince1970: Double(seconds + postgresEpoch) + Double(fraction) / 1_000_000)
        case .date:
            let days = try reader.readInteger(as: Int32.self)
            if days == .max { return .distantFuture }
            if days == .min { return .distantPast }
            return Date(timeIntervalSince1970: Double(Int64(days) * 86_400 + postgresEpoch))
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }
}

extension Data: PostgresEncodable, PostgresDecodable {
    /// Data is sent as `bytea`.
    public static var postgresType: PostgresDataType { .bytea }

    /// Appends the bytes as they are.
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: self)
    }

    /// Decodes `bytea`.
    public static func decode(from value: PostgresValue) throws -> Data {
        guard value.type == .bytea else { throw PostgresDecodingFailure.typeMismatch }
        return Data(value.bytes)
    }
}
