import FoundationEssentials
import KloudCore

/// A resource as one scan found it, priced.
struct ScannedResource: Sendable, Equatable {
    var arn: String
    /// `service:kind`, such as `ec2:volume`.
    var type: String
    var name: String
    /// The region, or `global`.
    var region: String
    /// What it costs a month; zero when ``unpricedReason`` says why it has no price.
    var monthlyCost: Money
    var unpricedReason: String?
    var tags: [String: String]
    /// Type-specific facts (state, size, class), shown beside the resource.
    var details: [String: String]
}

/// Waste: a resource that costs money and does nothing, with what the fix saves.
struct WasteFinding: Sendable, Equatable {
    var arn: String
    /// The rule's id, such as `unattached_volume`.
    var rule: String
    var title: String
    /// The evidence, in words.
    var evidence: String
    var monthlySaving: Money
    var action: String
}

/// What one unit of a scan (a service in a region) found.
struct UnitResult: Sendable {
    var resources: [ScannedResource] = []
    var findings: [WasteFinding] = []
}

/// The daily statistics the utilization rules read, by resource id.
struct UtilizationMetrics: Sendable {
    /// EC2 `CPUUtilization` daily averages.
    var cpuDailyAverage: [String: [Double]] = [:]
    /// NAT gateway `BytesOutToDestination` daily sums.
    var natBytesDaily: [String: [Double]] = [:]
    /// RDS `DatabaseConnections` daily maxima.
    var databaseConnectionsDaily: [String: [Double]] = [:]
}

extension Money {
    /// `hourly` for a month of ``PriceTable/hoursPerMonth`` hours.
    static func monthly(hourly: Money) -> Money { hourly * PriceTable.hoursPerMonth }

    /// Half of the amount, rounded half up to the unit.
    var half: Money { Money(units: (units + 1) / 2) }

    /// `bytes` of storage at `pricePerGB` a month (GB = 2^30 bytes), rounded half up.
    static func storage(bytes: Int64, pricePerGB: Money) -> Money {
        let gibibyte: Int64 = 1 << 30
        return Money(units: (bytes * pricePerGB.units * 2 + gibibyte) / (2 * gibibyte))
    }
}
