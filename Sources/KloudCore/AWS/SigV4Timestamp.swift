import FoundationEssentials

/// A signing instant in SigV4's two spellings: `20150830T123600Z` (`X-Amz-Date`) and
/// `20150830` (the credential scope's date).
///
/// Formatted by hand from the Unix time, in UTC, because a date formatter costs more than
/// the rest of the signature.
struct SigV4Timestamp: Sendable, Hashable {
    /// `yyyyMMdd'T'HHmmss'Z'`.
    let dateTime: String
    /// `yyyyMMdd`, the first eight characters of `dateTime`.
    let dateStamp: String

    /// Formats the date, dropping fractions of a second.
    init(_ date: Date) throws(SigV4Error) {
        let interval = date.timeIntervalSince1970.rounded(.down)
        // Years 0000...9999 span about -62.2e9 ... 253.4e9 seconds.
        guard interval >= -62_167_219_200, interval < 253_402_300_800 else { throw .invalidDate() }
        let seconds = Int64(interval)
        let (days, secondOfDay) = Self.floorDivision(seconds, 86_400)
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        let hour = Int(secondOfDay / 3600)
        let minute = Int(secondOfDay % 3600 / 60)
        let second = Int(secondOfDay % 60)

        dateTime = String(unsafeUninitializedCapacity: 16) { buffer in
            Self.write(year, digits: 4, into: buffer, at: 0)
            Self.write(month, digits: 2, into: buffer, at: 4)
            Self.write(day, digits: 2, into: buffer, at: 6)
            buffer[8] = UInt8(ascii: "T")
            Self.write(hour, digits: 2, into: buffer, at: 9)
            Self.write(minute, digits: 2, into: buffer, at: 11)
            Self.write(second, digits: 2, into: buffer, at: 13)
            buffer[15] = UInt8(ascii: "Z")
            return 16
        }
        dateStamp = String(dateTime.utf8.prefix(8))!
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// The proleptic Gregorian date of a day count, computed over 400-year eras (each era
    /// holds exactly 146097 days), so that no calendar object is needed.
    private static func civilDate(daysSince1970: Int64) -> (year: Int, month: Int, day: Int) {
        // Shift the epoch to 0000-03-01 so that the leap day ends each year.
        let days = daysSince1970 + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func write(_ value: Int, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int)
    {
        var remaining = value
        for position in stride(from: offset + digits - 1, through: offset, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }
}
