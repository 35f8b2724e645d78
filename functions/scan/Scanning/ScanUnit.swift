/// One service in one region (S3: once, `global`): what a scan reads, prices and records as
/// done in one transaction, so that a continuation or a repeated delivery never redoes it.
struct ScanUnit: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    enum Service: String, Sendable, Codable, CaseIterable {
        case ec2, elbv2, rds, lambda, logs, s3
    }

    var region: String
    var service: Service

    var description: String { "\(region)/\(service.rawValue)" }

    /// Every unit of a scan of `regions`.
    static func all(regions: [String]) -> [ScanUnit] {
        regions.flatMap { region in
            Service.allCases.filter { $0 != .s3 }.map { ScanUnit(region: region, service: $0) }
        } + [ScanUnit(region: "global", service: .s3)]
    }

    static func < (lhs: ScanUnit, rhs: ScanUnit) -> Bool { lhs.description < rhs.description }
}
