// Money travels as `numeric` in its binary form: a sign, a weight and base
// 10,000 digits, so no text parsing of amounts happens on either side.

extension Money: PostgresEncodable, PostgresDecodable, PostgresArrayElement {
    private static let positiveSign: UInt16 = 0x0000
    private static let negativeSign: UInt16 = 0x4000
    private static let base: Int64 = 10_000

    /// Money is sent as `numeric` with four decimal places.
    public static var postgresType: PostgresDataType { .numeric }

    /// `[Money]` is `numeric[]`.
    public static var postgresArrayType: PostgresDataType { .numericArray }

    /// Appends the amount as a binary `numeric`.
    public func encode(into buffer: inout [UInt8]) {
        let magnitude = units.magnitude
        var whole = magnitude / UInt64(Self.base)
        var digits: [Int16] = []
        while whole > 0 {
            digits.insert(Int16(whole % UInt64(Self.base)), at: 0)
            whole /= UInt64(Self.base)
        }
        var weight = Int16(digits.count) - 1
        digits.append(Int16(magnitude % UInt64(Self.base)))
        while digits.last == 0 { digits.removeLast() }
        if digits.isEmpty { weight = 0 }
        buffer.appendBigEndian(Int16(digits.count))
        buffer.appendBigEndian(weight)
        buffer.appendBigEndian(units < 0 ? Self.negativeSign : Self.positiveSign)
        buffer.appendBigEndian(Int16(Money.fractionDigits))
        for digit in digits { buffer.appendBigEndian(digit) }
    }

    /// Decodes `numeric`, refusing NaN, infinities, amounts too large, and
    /// amounts with non-zero digits past the fourth decimal place (round in
    /// SQL when that is wanted) rather than losing precision.
    public static func decode(from value: PostgresValue) throws -> Money {
        guard value.type == .numeric else { throw PostgresDecodingFailure.typeMismatch }
        var reader = PostgresBinaryReader(value.bytes)
        let count = Int(try reader.readInteger(as: Int16.self))
        let weight = Int(try reader.readInteger(as: Int16.self))
        let sign = try reader.readInteger(as: UInt16.self)
        _ = try reader.readInteger(as: Int16.self)
        guard sign == positiveSign || sign == negativeSign else { throw PostgresDecodingFailure.outOfRange }
        var units: Int64 = 0
        for index in 0..<count {
            let digit = Int64(try reader.readInteger(as: Int16.self))
            // The digit's power of 10,000 once the amount is counted in units.
            let exponent = weight + 1 - index
            guard exponent >= 0 else {
                guard digit == 0 else { throw PostgresDecodingFailure.outOfRange }
                continue
            }
            var scaled = digit
            for _ in 0..<exponent {
                let (product, overflow) = scaled.multipliedReportingOverflow(by: base)
                guard !overflow else { throw PostgresDecodingFailure.outOfRange }
                scaled = product
            }
            let (sum, overflow) = units.addingReportingOverflow(scaled)
            guard !overflow else { throw PostgresDecodingFailure.outOfRange }
            units = sum
        }
        guard reader.isAtEnd else { throw PostgresDecodingFailure.malformed }
        return Money(units: sign == negativeSign ? -units : units)
    }
}
