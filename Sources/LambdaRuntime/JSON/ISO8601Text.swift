import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Dates as JSON carries them: `2026-11-29T18:00:00Z`, UTC, whole seconds, exactly what
/// `Date.ISO8601FormatStyle()` writes. Written from `gmtime_r` rather than a calendar, which
/// took a few microseconds per date (a list of 50 resources writes 50).
enum ISO8601Text {
    static func seconds(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        // Foundation's calendar is Julian before October 1582, gmtime_r's proleptic Gregorian.
        guard gmtime_r(&seconds, &parts) != nil, (1583...9999).contains(parts.tm_year + 1900) else {
            return date.formatted(.iso8601)
        }
        var text: [UInt8] = []
        text.reserveCapacity(20)
        func append(_ value: Int32, digits: Int) {
            var divisor: Int32 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        append(parts.tm_year + 1900, digits: 4)
        text.append(UInt8(ascii: "-"))
        append(parts.tm_mon + 1, digits: 2)
        text.append(UInt8(ascii: "-"))
        append(parts.tm_mday, digits: 2)
        text.append(UInt8(ascii: "T"))
        append(parts.tm_hour, digits: 2)
        text.append(UInt8(ascii: ":"))
        append(parts.tm_min, digits: 2)
        text.append(UInt8(ascii: ":"))
        append(parts.tm_sec, digits: 2)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }
}
