import KloudCore

/// A monthly cost, or why there is none.
enum Price: Sendable, Equatable {
    case priced(Money)
    case unpriced(String)

    /// The amount, zero when unpriced.
    var amount: Money {
        if case .priced(let money) = self { return money }
        return .zero
    }
}

/// A resource with its price set from `price`; the scan sets its region.
func priced(
    _ price: Price, arn: String, type: String, name: String, tags: [String: String],
    details: [String: String]
) -> ScannedResource {
    var unpricedReason: String?
    if case .unpriced(let reason) = price { unpricedReason = reason }
    return ScannedResource(
        arn: arn, type: type, name: name, region: "", monthlyCost: price.amount, unpricedReason: unpricedReason,
        tags: tags, details: details)
}
