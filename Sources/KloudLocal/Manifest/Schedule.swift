import Foundation

/// An EventBridge schedule expression: `rate(N unit)` or `cron(min hour day-of-month month day-of-week year)`.
public enum Schedule: Sendable, Equatable, CustomStringConvertible {
    case rate(seconds: Int, expression: String)
    case cron(CronExpression)

    public var description: String {
        switch self {
        case .rate(_, let expression): expression
        case .cron(let cron): cron.expression
        }
    }

    /// Parses an expression as EventBridge accepts it.
    public init(parsing expression: String) throws(ScheduleError) {
        if expression.hasPrefix("rate(") && expression.hasSuffix(")") {
            let inner = expression.dropFirst(5).dropLast().split(separator: " ")
            guard inner.count == 2, let value = Int(inner[0]), value > 0 else {
                throw ScheduleError("'\(expression)' must be rate(N unit) with a positive whole N")
            }
            let units: [String: Int] = [
                "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400,
            ]
            guard let unit = units[String(inner[1])] else {
                throw ScheduleError("unit of '\(expression)' must be minute(s), hour(s) or day(s)")
            }
            guard (value == 1) == !inner[1].hasSuffix("s") else {
                throw ScheduleError("'\(expression)' must use the singular unit for 1 and the plural otherwise")
            }
            self = .rate(seconds: value * unit, expression: expression)
        } else if expression.hasPrefix("cron(") && expression.hasSuffix(")") {
            self = .cron(try CronExpression(parsing: expression))
        } else {
            throw ScheduleError("'\(expression)' is neither rate(...) nor cron(...)")
        }
    }

    /// The first firing strictly after `date` (UTC); for a rate, counted from `start`.
    public func nextFiring(after date: Date, start: Date) -> Date? {
        switch self {
        case .rate(let seconds, _):
            let elapsed = max(0, date.timeIntervalSince(start))
            let periods = (elapsed / Double(seconds)).rounded(.down) + 1
            return start.addingTimeInterval(periods * Double(seconds))
        case .cron(let cron):
            return cron.nextFiring(after: date)
        }
    }
}

/// Why a schedule expression is not valid.
public struct ScheduleError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// An EventBridge cron expression, evaluated in UTC.
///
/// Fields: minutes, hours, day-of-month, month (1-12 or JAN-DEC), day-of-week (1-7 or SUN-SAT),
/// year. Each takes `*`, values, ranges, lists and `/` steps; one of day-of-month and
/// day-of-week must be `?`; day-of-month takes `L` (last day). `W` and `#` are refused here.
public struct CronExpression: Sendable, Equatable {
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>?
    let isLastDayOfMonth: Bool
    let months: Set<Int>
    let daysOfWeek: Set<Int>?
    let years: Set<Int>

    init(parsing expression: String) throws(ScheduleError) {
        self.expression = expression
        let fields = expression.dropFirst(5).dropLast().split(separator: " ").map(String.init)
        guard fields.count == 6 else { throw ScheduleError("'\(expression)' must have 6 fields") }
        let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        minutes = try Self.values(fields[0], in: 0...59, names: [], field: "minutes")
        hours = try Self.values(fields[1], in: 0...23, names: [], field: "hours")
        months = try Self.values(fields[3], in: 1...12, names: monthNames, field: "month")
        years = try Self.values(fields[5], in: 1970...2199, names: [], field: "year")
        guard (fields[2] == "?") != (fields[4] == "?") else {
            throw ScheduleError("exactly one of day-of-month and day-of-week must be '?' in '\(expression)'")
        }
        isLastDayOfMonth = fields[2] == "L"
        daysOfMonth =
            fields[2] == "?" || isLastDayOfMonth
            ? nil : try Self.values(fields[2], in: 1...31, names: [], field: "day-of-month")
        daysOfWeek =
            fields[4] == "?" ? nil : try Self.values(fields[4], in: 1...7, names: dayNames, field: "day-of-week")
    }

    private static func values(
        _ field: String, in range: ClosedRange<Int>, names: [String], field name: String
    )
        throws(ScheduleError) -> Set<Int>
    {
        func number(_ text: Substring) throws(ScheduleError) -> Int {
            if let value = Int(text), range.contains(value) { return value }
            if let index = names.firstIndex(of: text.uppercased()) { return range.lowerBound + index }
            throw ScheduleError("'\(text)' is not a valid \(name) value")
        }
        let isUnsupportedDayForm =
            (name == "day-of-month" && field.contains("W"))
            || (name == "day-of-week"
                && (field.contains("#") || field.range(of: "[0-9]L", options: .regularExpression) != nil))
        if isUnsupportedDayForm {
            throw ScheduleError("'\(field)' in \(name): W, # and nL are not supported by the local emulator")
        }
        var result: Set<Int> = []
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = part.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw ScheduleError("'\(part)' is not a valid \(name) value") }
            var step = 1
            if stepParts.count == 2 {
                guard let value = Int(stepParts[1]), value > 0 else {
                    throw ScheduleError("'\(part)' has an invalid step in \(name)")
                }
                step = value
            }
            let base = stepParts[0]
            var lower = range.lowerBound
            var upper = range.upperBound
            if base != "*" {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw ScheduleError("'\(part)' is not a valid \(name) value") }
                lower = try number(bounds[0])
                upper = bounds.count == 2 ? try number(bounds[1]) : (stepParts.count == 2 ? range.upperBound : lower)
                guard lower <= upper else { throw ScheduleError("'\(part)' is an empty range in \(name)") }
            }
            result.formUnion(stride(from: lower, through: upper, by: step))
        }
        return result
    }

    /// The first minute strictly after `date` that matches, searching up to the last allowed year.
    func nextFiring(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let startOfMinute = calendar.dateInterval(of: .minute, for: date)!.start
        var candidate = calendar.date(byAdding: .minute, value: 1, to: startOfMinute)!
        guard let lastYear = years.max() else { return nil }
        while calendar.component(.year, from: candidate) <= lastYear {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            if !years.contains(parts.year!) || !months.contains(parts.month!) || !matchesDay(parts, calendar, candidate)
            {
                candidate = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: candidate))!
            } else if !hours.contains(parts.hour!) {
                candidate = calendar.date(
                    byAdding: .hour, value: 1, to: calendar.dateInterval(of: .hour, for: candidate)!.start)!
            } else if !minutes.contains(parts.minute!) {
                candidate = calendar.date(byAdding: .minute, value: 1, to: candidate)!
            } else {
                return candidate
            }
        }
        return nil
    }

    private func matchesDay(_ parts: DateComponents, _ calendar: Calendar, _ date: Date) -> Bool {
        if let daysOfWeek { return daysOfWeek.contains(parts.weekday!) }
        if isLastDayOfMonth { return calendar.range(of: .day, in: .month, for: date)!.upperBound - 1 == parts.day! }
        return daysOfMonth?.contains(parts.day!) ?? true
    }
}
