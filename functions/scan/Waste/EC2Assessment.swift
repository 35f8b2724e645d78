import FoundationEssentials
import KloudCore

/// EC2's resources in one region, priced, and the waste rules that read them.
struct EC2Assessment: Sendable {
    var region: String
    var accountID: String
    var prices: PriceTable.Region?
    var now: Date
    var instances: [EC2Instance]
    var volumes: [EC2Volume]
    var snapshots: [EC2Snapshot]
    var addresses: [EC2Address]
    var natGateways: [EC2NatGateway]
    var metrics: UtilizationMetrics

    static let stoppedDays = 7
    static let snapshotDays = 90
    static let lowCPUPercent = 10.0
    static let lowCPUDays = 4
    static let idleNATBytes = 1_000_000_000.0
    /// Previous-generation families and the current family of the same sizes.
    static let successors = ["t2": "t3", "m4": "m5", "c4": "c5", "r4": "r5"]

    func assess() -> UnitResult {
        var result = UnitResult()
        let volumeCosts = Dictionary(volumes.map { ($0.id, volumeCost($0)) }) { first, _ in first }
        for instance in instances where instance.state != "terminated" && instance.state != "shutting-down" {
            result.resources.append(resource(instance))
            result.findings += findings(for: instance, volumeCosts: volumeCosts)
        }
        for volume in volumes {
            let cost = volumeCost(volume)
            result.resources.append(
                priced(
                    cost, arn: "arn:aws:ec2:\(region):\(accountID):volume/\(volume.id)", type: "ec2:volume",
                    name: volume.tags["Name"] ?? "", tags: volume.tags,
                    details: ["volume_type": volume.type, "size_gib": String(volume.sizeGiB), "state": volume.state]))
            result.findings += findings(for: volume, cost: cost)
        }
        let volumeIDs = Set(volumes.map(\.id))
        for snapshot in snapshots {
            let cost = prices.map { $0.snapshotGBMonth * snapshot.volumeSizeGiB }
            let arn = "arn:aws:ec2:\(region)::snapshot/\(snapshot.id)"
            result.resources.append(
                priced(
                    cost.map(Price.priced) ?? .unpriced("no prices for \(region)"), arn: arn, type: "ec2:snapshot",
                    name: snapshot.tags["Name"] ?? "", tags: snapshot.tags,
                    details: ["volume_id": snapshot.volumeID, "size_gib": String(snapshot.volumeSizeGiB)]))
            if let cost, let started = snapshot.startTime, now.timeIntervalSince(started) > days(Self.snapshotDays),
                !volumeIDs.contains(snapshot.volumeID)
            {
                result.findings.append(
                    WasteFinding(
                        arn: arn, rule: "orphaned_snapshot", title: "Snapshot of a deleted volume",
                        evidence:
                            "taken \(wholeDays(since: started)) days ago from \(snapshot.volumeID), which no longer exists",
                        monthlySaving: cost, action: "Delete the snapshot if no restore needs it."))
            }
        }
        for address in addresses {
            let cost = prices.map { Money.monthly(hourly: $0.publicIPv4Hourly) }
            let arn = "arn:aws:ec2:\(region):\(accountID):elastic-ip/\(address.allocationID)"
            result.resources.append(
                priced(
                    cost.map(Price.priced) ?? .unpriced("no prices for \(region)"), arn: arn, type: "ec2:elastic-ip",
                    name: address.tags["Name"] ?? "", tags: address.tags,
                    details: [
                        "public_ip": address.publicIP, "associated": address.associationID == nil ? "false" : "true",
                    ]))
            if let cost, address.associationID == nil {
                result.findings.append(
                    WasteFinding(
                        arn: arn, rule: "unassociated_elastic_ip", title: "Elastic IP not associated",
                        evidence: "\(address.publicIP) is associated with nothing and is billed by the hour",
                        monthlySaving: cost, action: "Release the address."))
            }
        }
        for gateway in natGateways where gateway.state != "deleted" && gateway.state != "deleting" {
            let cost = prices.map { Money.monthly(hourly: $0.natGatewayHourly) }
            let arn = "arn:aws:ec2:\(region):\(accountID):natgateway/\(gateway.id)"
            result.resources.append(
                priced(
                    cost.map(Price.priced) ?? .unpriced("no prices for \(region)"), arn: arn, type: "ec2:natgateway",
                    name: gateway.tags["Name"] ?? "", tags: gateway.tags,
                    details: ["state": gateway.state, "vpc_id": gateway.vpcID]))
            let bytes = (metrics.natBytesDaily[gateway.id] ?? []).reduce(0, +)
            if let cost, bytes < Self.idleNATBytes {
                result.findings.append(
                    WasteFinding(
                        arn: arn, rule: "idle_nat_gateway", title: "NAT gateway with almost no traffic",
                        evidence: "\(Int64(bytes)) bytes sent in 14 days", monthlySaving: cost,
                        action: "Delete the NAT gateway, or route the little traffic another way."))
            }
        }
        return result
    }

    // MARK: - Instances

    private func instanceCost(_ instance: EC2Instance) -> Price {
        guard let prices else { return .unpriced("no prices for \(region)") }
        guard let hourly = prices.instanceHourly[instance.type] else {
            return .unpriced("no price for instance type \(instance.type)")
        }
        return instance.state == "running" || instance.state == "pending"
            ? .priced(.monthly(hourly: hourly)) : .priced(.zero)
    }

    private func resource(_ instance: EC2Instance) -> ScannedResource {
        priced(
            instanceCost(instance), arn: "arn:aws:ec2:\(region):\(accountID):instance/\(instance.id)",
            type: "ec2:instance", name: instance.tags["Name"] ?? "", tags: instance.tags,
            details: ["instance_type": instance.type, "state": instance.state])
    }

    private func findings(for instance: EC2Instance, volumeCosts: [String: Price]) -> [WasteFinding] {
        let arn = "arn:aws:ec2:\(region):\(accountID):instance/\(instance.id)"
        var findings: [WasteFinding] = []
        if instance.state == "stopped", let stoppedAt = Self.stopTime(instance.stateTransitionReason),
            now.timeIntervalSince(stoppedAt) > days(Self.stoppedDays)
        {
            let saving = instance.volumeIDs.reduce(Money.zero) { $0 + (volumeCosts[$1]?.amount ?? .zero) }
            findings.append(
                WasteFinding(
                    arn: arn, rule: "long_stopped_instance",
                    title: "Instance stopped for \(wholeDays(since: stoppedAt)) days",
                    evidence:
                        "stopped since \(stoppedAt.formatted(.iso8601)); its \(instance.volumeIDs.count) volume(s) are still billed",
                    monthlySaving: saving,
                    action: "Create an AMI or snapshots, then terminate the instance and delete its volumes."))
        }
        guard instance.state == "running", case .priced(let cost) = instanceCost(instance) else { return findings }
        let lowDays = (metrics.cpuDailyAverage[instance.id] ?? []).filter { $0 <= Self.lowCPUPercent }.count
        if lowDays >= Self.lowCPUDays {
            findings.append(
                WasteFinding(
                    arn: arn, rule: "low_utilization_instance", title: "Instance mostly idle",
                    evidence: "average CPU at most 10% on \(lowDays) of the last 14 days", monthlySaving: cost.half,
                    action: "Move to one size smaller (about half the price), or stop it when unused."))
        }
        let parts = instance.type.split(separator: ".", maxSplits: 1)
        if parts.count == 2, let successor = Self.successors[String(parts[0])],
            let current = prices?.instanceHourly[instance.type],
            let next = prices?.instanceHourly["\(successor).\(parts[1])"], next < current
        {
            findings.append(
                WasteFinding(
                    arn: arn, rule: "previous_generation_instance", title: "Previous-generation instance type",
                    evidence: "\(instance.type) costs more than \(successor).\(parts[1]), its current-generation equal",
                    monthlySaving: .monthly(hourly: current - next),
                    action: "Change the instance type to \(successor).\(parts[1])."))
        }
        return findings
    }

    /// When a `User initiated (2026-11-20 10:00:00 GMT)` stop happened (some endpoints write
    /// UTC for GMT).
    static func stopTime(_ reason: String) -> Date? {
        guard let open = reason.firstIndex(of: "("), reason.hasSuffix(" GMT)") || reason.hasSuffix(" UTC)") else {
            return nil
        }
        let text = reason[reason.index(after: open)...].dropLast(5)
        return try? Date.ISO8601FormatStyle().parse(String(text).replacing(" ", with: "T") + "Z")
    }

    // MARK: - Volumes

    private func volumeCost(_ volume: EC2Volume) -> Price {
        guard let prices else { return .unpriced("no prices for \(region)") }
        guard let perGB = prices.volumeGBMonth[volume.type] else {
            return .unpriced("no price for volume type \(volume.type)")
        }
        return .priced(perGB * volume.sizeGiB)
    }

    private func findings(for volume: EC2Volume, cost: Price) -> [WasteFinding] {
        guard case .priced(let amount) = cost else { return [] }
        let arn = "arn:aws:ec2:\(region):\(accountID):volume/\(volume.id)"
        if volume.state == "available" {
            return [
                WasteFinding(
                    arn: arn, rule: "unattached_volume", title: "Volume attached to nothing",
                    evidence: "\(volume.sizeGiB) GiB \(volume.type) volume in state available", monthlySaving: amount,
                    action: "Snapshot the volume if its data matters, then delete it.")
            ]
        }
        if volume.type == "gp2", volume.state == "in-use", let gp2 = prices?.volumeGBMonth["gp2"],
            let gp3 = prices?.volumeGBMonth["gp3"]
        {
            return [
                WasteFinding(
                    arn: arn, rule: "gp2_volume", title: "gp2 volume that gp3 would serve for less",
                    evidence: "\(volume.sizeGiB) GiB gp2 at \(gp2) per GB-month; gp3 costs \(gp3)",
                    monthlySaving: (gp2 - gp3) * volume.sizeGiB, action: "Modify the volume type to gp3 (no downtime).")
            ]
        }
        return []
    }

    private func days(_ count: Int) -> TimeInterval { TimeInterval(count * 86_400) }

    private func wholeDays(since date: Date) -> Int { Int(now.timeIntervalSince(date) / 86_400) }
}
