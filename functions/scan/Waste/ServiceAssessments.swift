import FoundationEssentials
import KloudCore

/// Load balancers in one region: priced by type; idle when no target of theirs is healthy.
struct LoadBalancerAssessment: Sendable {
    var prices: PriceTable.Region?
    var loadBalancers: [ELBLoadBalancer]
    var targetGroups: [ELBTargetGroup]
    /// Target health by target group ARN.
    var targetHealth: [String: [ELBTargetHealth]]

    func assess() -> UnitResult {
        var result = UnitResult()
        for balancer in loadBalancers {
            let price: Price =
                if let hourly = prices?.loadBalancerHourly[balancer.type] {
                    .priced(.monthly(hourly: hourly))
                } else {
                    .unpriced(
                        prices == nil ? "no prices for this region" : "no price for \(balancer.type) load balancers")
                }
            let groups = targetGroups.filter { $0.loadBalancerARNs.contains(balancer.arn) }
            let targets = groups.flatMap { targetHealth[$0.arn] ?? [] }
            let healthy = targets.filter { $0.state == "healthy" }.count
            result.resources.append(
                priced(
                    price, arn: balancer.arn, type: "elbv2:load-balancer", name: balancer.name, tags: [:],
                    details: [
                        "type": balancer.type, "state": balancer.state, "target_groups": String(groups.count),
                        "healthy_targets": String(healthy),
                    ]))
            if case .priced(let cost) = price, healthy == 0 {
                result.findings.append(
                    WasteFinding(
                        arn: balancer.arn, rule: "idle_load_balancer", title: "Load balancer with no healthy target",
                        evidence: "\(groups.count) target group(s), \(targets.count) target(s), none healthy",
                        monthlySaving: cost, action: "Delete the load balancer if nothing should be behind it."))
            }
        }
        return result
    }
}

/// RDS instances in one region: compute and storage; idle without connections for 7 days.
struct DatabaseAssessment: Sendable {
    var prices: PriceTable.Region?
    var databases: [RDSInstance]
    var metrics: UtilizationMetrics

    func assess() -> UnitResult {
        var result = UnitResult()
        for database in databases {
            let copies = database.isMultiAZ ? 2 : 1
            let compute = prices?.databaseHourly[database.instanceClass].map { Money.monthly(hourly: $0) * copies }
            let storage = prices?.databaseStorageGBMonth[database.storageType].map {
                $0 * database.allocatedStorageGiB * copies
            }
            let price: Price =
                if let compute, let storage {
                    .priced(compute + storage)
                } else if prices == nil {
                    .unpriced("no prices for this region")
                } else {
                    .unpriced("no price for \(database.instanceClass) with \(database.storageType) storage")
                }
            result.resources.append(
                priced(
                    price, arn: database.arn, type: "rds:db", name: database.identifier, tags: [:],
                    details: [
                        "class": database.instanceClass, "engine": database.engine, "status": database.status,
                        "multi_az": String(database.isMultiAZ), "storage_gib": String(database.allocatedStorageGiB),
                    ]))
            let connections = metrics.databaseConnectionsDaily[database.identifier] ?? []
            if let compute, !connections.isEmpty, connections.allSatisfy({ $0 == 0 }) {
                result.findings.append(
                    WasteFinding(
                        arn: database.arn, rule: "idle_rds_instance", title: "Database with no connections",
                        evidence: "no connection on any of the last \(connections.count) days", monthlySaving: compute,
                        action: "Snapshot the database and delete it, or stop it while unused."))
            }
        }
        return result
    }
}

/// Lambda functions: billed per request and duration, which a scan does not measure.
struct FunctionAssessment: Sendable {
    var functions: [LambdaFunctionSummary]

    func assess() -> UnitResult {
        UnitResult(
            resources: functions.map { function in
                priced(
                    .unpriced("billed per request and duration"), arn: function.arn, type: "lambda:function",
                    name: function.name, tags: [:],
                    details: [
                        "runtime": function.runtime ?? "", "memory_mb": function.memorySizeMB.map(String.init) ?? "",
                    ])
            })
    }
}

/// Log groups: storage priced; a group that keeps events for ever is waste.
struct LogGroupAssessment: Sendable {
    var prices: PriceTable.Region?
    var logGroups: [LogGroup]

    func assess() -> UnitResult {
        var result = UnitResult()
        for group in logGroups {
            let arn = (group.arn ?? "").hasSuffix(":*") ? String((group.arn ?? "").dropLast(2)) : group.arn ?? ""
            let bytes = group.storedBytes ?? 0
            let price: Price =
                prices.map { .priced(.storage(bytes: bytes, pricePerGB: $0.logStorageGBMonth)) }
                ?? .unpriced("no prices for this region")
            result.resources.append(
                priced(
                    price, arn: arn, type: "logs:log-group", name: group.logGroupName, tags: [:],
                    details: [
                        "stored_bytes": String(bytes),
                        "retention_days": group.retentionInDays.map(String.init) ?? "never expire",
                    ]))
            if case .priced(let cost) = price, group.retentionInDays == nil {
                result.findings.append(
                    WasteFinding(
                        arn: arn, rule: "log_group_without_retention", title: "Log group kept for ever",
                        evidence: "\(bytes) bytes stored with no retention set", monthlySaving: cost,
                        action: "Set a retention period (for example 30 or 90 days)."))
            }
        }
        return result
    }
}

/// S3 buckets: billed by stored bytes and requests, which a scan does not measure.
struct BucketAssessment: Sendable {
    var buckets: [S3Bucket]

    func assess() -> UnitResult {
        UnitResult(
            resources: buckets.map { bucket in
                priced(
                    .unpriced("billed by stored bytes and requests"), arn: "arn:aws:s3:::\(bucket.name)",
                    type: "s3:bucket", name: bucket.name, tags: [:], details: ["bucket_region": bucket.region ?? ""])
            })
    }
}
