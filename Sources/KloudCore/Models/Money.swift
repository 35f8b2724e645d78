/// An exact amount of US dollars, such as a resource's monthly cost or the
/// saving of a waste finding.
///
/// Held as a whole number of ten-thousandths of a dollar (the precision of
/// the `numeric(14,4)` columns that store it), so sums are exact: money is
/// never a floating-point number. Encoded in JSON as a decimal string
/// (`"12.3400"` reads back as 12.34) for the same reason.
public struct Money: Sendable, Hashable, Comparable, AdditiveArithmetic, Codable,
    CustomStringConvertible, LosslessStringConvertible
{
    /// The number of decimal places kept.
    public static let fractionDigits = 4

    /// Units in one dollar.
    public static let unitsPerDollar: Int64 = 10_000

    /// The amount in ten-thousandths of a dollar.
    public var units: Int64

    /// Creates an amount from ten-thousandths of a dollar.
    public init(units: Int64) {
        self.units = units
    }

    /// Creates an amount from cents.
    public init(cents: Int64) {
        self.units = cents * 100
    }

    /// Parses a plain decimal such as `12`, `-0.5` or `1234.5678`; `nil` for
    /// anything else, including more than four decimal places or an amount
    /// too large to hold.
    public init?(_ description: String) {
        var text = Substring(description)
        let isNegative = text.first == "-"
        if text.first == "-" || text.first == "+" { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            parts.count == 1 || !fraction.isEmpty, fraction.count <= Self.fractionDigits,
            fraction.allSatisfy(\.isASCIIDigit)
        else { return nil }
        let paddedFraction = fraction + String(repeating: "0", count: Self.fractionDigits - fraction.count)
        guard let wholeValue = Int64(whole), let fractionValue = Int64(paddedFraction) else { return nil }
        let (scaled, overflow) = wholeValue.multipliedReportingOverflow(by: Self.unitsPerDollar)
        let (magnitude, overflowAdding) = scaled.addingReportingOverflow(fractionValue)
        guard !overflow, !overflowAdding else { return nil }
        self.units = isNegative ? -magnitude : magnitude
    }

    /// Zero dollars.
    public static let zero = Money(units: 0)

    /// The amount as a decimal with at least two places: `12.34`, `0.0116`, `-3.00`.
    public var description: String {
        let magnitude = units.magnitude
        let whole = magnitude / UInt64(Self.unitsPerDollar)
        var fraction = String(magnitude % UInt64(Self.unitsPerDollar))
        fraction = String(repeating: "0", count: Self.fractionDigits - fraction.count) + fraction
        while fraction.count > 2, fraction.last == "0" { fraction.removeLast() }
        return (units < 0 ? "-" : "") + "\(whole).\(fraction)"
    }

    // MARK: - Arithmetic

    /// The sum; traps on overflow like integer addition.
    public static func + (lhs: Money, rhs: Money) -> Money {
        Money(units: lhs.units + rhs.units)
    }

    /// The difference; traps on overflow like integer subtraction.
    public static func - (lhs: Money, rhs: Money) -> Money {
        Money(units: lhs.units - rhs.units)
    }

    /// The amount times a whole number; traps on overflow.
    public static func * (lhs: Money, rhs: Int) -> Money {
        Money(units: lhs.units * Int64(rhs))
    }

    /// Orders by amount.
    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.units < rhs.units
    }

    // MARK: - Codable

    /// Decodes the decimal string form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let money = Money(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a decimal amount with at most four places")
        }
        self = money
    }

    /// Encodes the decimal string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
