import Foundation
import KloudCore
import Testing

@testable import scan

/// Prices and waste rules on inventories built by hand, each rule at its boundary.
@Suite struct AssessmentTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let account = "123456789012"

    func ec2(
        region: String = "us-east-1", instances: [EC2Instance] = [], volumes: [EC2Volume] = [],
        snapshots: [EC2Snapshot] = [], addresses: [EC2Address] = [], gateways: [EC2NatGateway] = [],
        metrics: UtilizationMetrics = UtilizationMetrics()
    ) -> UnitResult {
        EC2Assessment(
            region: region, accountID: Self.account, prices: PriceTable.standard.region(region), now: Self.now,
            instances: instances, volumes: volumes, snapshots: snapshots, addresses: addresses,
            natGateways: gateways, metrics: metrics
        ).assess()
    }

    func cost(_ result: UnitResult, _ id: String) -> String? {
        result.resources.first { $0.arn.hasSuffix("/" + id) }.map { $0.monthlyCost.fixed }
    }

    func rules(_ result: UnitResult) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: result.findings.map {
                ("\($0.arn.split(separator: "/").last!)|\($0.rule)", $0.monthlySaving.fixed)
            })
    }

    /// `User initiated (…)` as EC2 writes it, `days` before now.
    func stopped(daysAgo days: Double) -> String {
        let date = Self.now.addingTimeInterval(-days * 86_400)
        let text = date.formatted(.iso8601).replacing("T", with: " ").replacing("Z", with: "")
        return "User initiated (\(text) GMT)"
    }

    @Test func pricesInstancesByStateTypeAndRegion() {
        let result = ec2(instances: [
            EC2Instance(id: "i-run", type: "t3.micro", state: "running"),
            EC2Instance(id: "i-stop", type: "m5.large", state: "stopped"),
            EC2Instance(id: "i-odd", type: "x2idn.16xlarge", state: "running"),
            EC2Instance(id: "i-gone", type: "t3.micro", state: "terminated"),
        ])
        #expect(cost(result, "i-run") == "7.5920")
        #expect(cost(result, "i-stop") == "0.0000")
        #expect(
            result.resources.first { $0.arn.hasSuffix("i-odd") }?.unpricedReason
                == "no price for instance type x2idn.16xlarge")
        #expect(cost(result, "i-gone") == nil)
        let elsewhere = ec2(
            region: "eu-west-1", instances: [EC2Instance(id: "i-eu", type: "t3.micro", state: "running")])
        #expect(cost(elsewhere, "i-eu") == "8.3220")
        let unknownRegion = ec2(
            region: "me-south-1", instances: [EC2Instance(id: "i-me", type: "t3.micro", state: "running")])
        #expect(unknownRegion.resources.first?.unpricedReason == "no prices for me-south-1")
        #expect(unknownRegion.findings.isEmpty)
    }

    @Test func findsUnattachedAndGP2VolumesWithTheirSavings() {
        let result = ec2(volumes: [
            EC2Volume(id: "vol-free", type: "gp3", sizeGiB: 100, state: "available"),
            EC2Volume(id: "vol-old", type: "gp2", sizeGiB: 50, state: "in-use", attachedInstanceIDs: ["i-1"]),
            EC2Volume(id: "vol-new", type: "gp3", sizeGiB: 50, state: "in-use", attachedInstanceIDs: ["i-1"]),
        ])
        #expect(cost(result, "vol-free") == "8.0000")
        #expect(cost(result, "vol-old") == "5.0000")
        #expect(rules(result) == ["vol-free|unattached_volume": "8.0000", "vol-old|gp2_volume": "1.0000"])
    }

    @Test func flagsInstancesStoppedMoreThanSevenDaysWithTheirVolumesCost() {
        let volumes = [
            EC2Volume(id: "vol-a", type: "gp3", sizeGiB: 10, state: "in-use", attachedInstanceIDs: ["i-long"]),
            EC2Volume(id: "vol-b", type: "gp3", sizeGiB: 30, state: "in-use", attachedInstanceIDs: ["i-long"]),
        ]
        let result = ec2(
            instances: [
                EC2Instance(
                    id: "i-long", type: "t3.micro", state: "stopped", stateTransitionReason: stopped(daysAgo: 7.01),
                    volumeIDs: ["vol-a", "vol-b"]),
                EC2Instance(
                    id: "i-recent", type: "t3.micro", state: "stopped", stateTransitionReason: stopped(daysAgo: 6.99),
                    volumeIDs: ["vol-a"]),
                EC2Instance(
                    id: "i-unknown", type: "t3.micro", state: "stopped", stateTransitionReason: "Server.InternalError"),
            ], volumes: volumes)
        #expect(rules(result) == ["i-long|long_stopped_instance": "3.2000"])
    }

    @Test func flagsSnapshotsOlderThanNinetyDaysWhoseVolumeIsGone() {
        let old = Self.now.addingTimeInterval(-90.01 * 86_400)
        let young = Self.now.addingTimeInterval(-89.99 * 86_400)
        let result = ec2(
            volumes: [EC2Volume(id: "vol-here", type: "gp3", sizeGiB: 8, state: "in-use")],
            snapshots: [
                EC2Snapshot(id: "snap-orphan", volumeID: "vol-gone", volumeSizeGiB: 20, startTime: old),
                EC2Snapshot(id: "snap-young", volumeID: "vol-gone", volumeSizeGiB: 20, startTime: young),
                EC2Snapshot(id: "snap-kept", volumeID: "vol-here", volumeSizeGiB: 8, startTime: old),
            ])
        #expect(cost(result, "snap-orphan") == "1.0000")
        #expect(rules(result) == ["snap-orphan|orphaned_snapshot": "1.0000"])
        #expect(
            result.resources.first { $0.arn.hasSuffix("snap-orphan") }?.arn
                == "arn:aws:ec2:us-east-1::snapshot/snap-orphan")
    }

    @Test func flagsFreeAddressesIdleGatewaysAndLowCPU() {
        let result = ec2(
            instances: [
                EC2Instance(id: "i-idle", type: "m4.large", state: "running"),
                EC2Instance(id: "i-busy", type: "m5.large", state: "running"),
            ],
            addresses: [
                EC2Address(allocationID: "eipalloc-free", publicIP: "203.0.113.1"),
                EC2Address(allocationID: "eipalloc-used", publicIP: "203.0.113.2", associationID: "eipassoc-1"),
            ],
            gateways: [
                EC2NatGateway(id: "nat-quiet", state: "available"), EC2NatGateway(id: "nat-busy", state: "available"),
            ],
            metrics: UtilizationMetrics(
                cpuDailyAverage: ["i-idle": [10, 10, 9.5, 2, 50, 60], "i-busy": [10, 10, 10, 10.01, 80]],
                natBytesDaily: ["nat-quiet": [999_999_999], "nat-busy": [500_000_000, 500_000_000]]))
        #expect(cost(result, "eipalloc-free") == "3.6500")
        #expect(cost(result, "nat-quiet") == "32.8500")
        #expect(
            rules(result) == [
                "eipalloc-free|unassociated_elastic_ip": "3.6500", "nat-quiet|idle_nat_gateway": "32.8500",
                "i-idle|low_utilization_instance": "36.5000", "i-idle|previous_generation_instance": "2.9200",
            ])
    }

    @Test func judgesLoadBalancersDatabasesLogsAndUsageBilledServices() {
        let balancers = LoadBalancerAssessment(
            prices: PriceTable.standard.region("us-east-1"),
            loadBalancers: [
                ELBLoadBalancer(arn: "arn:lb/app/idle", name: "idle", type: "application", state: "active"),
                ELBLoadBalancer(arn: "arn:lb/net/ok", name: "ok", type: "network", state: "active"),
            ],
            targetGroups: [
                ELBTargetGroup(arn: "tg-1", name: "a", loadBalancerARNs: ["arn:lb/app/idle"]),
                ELBTargetGroup(arn: "tg-2", name: "b", loadBalancerARNs: ["arn:lb/net/ok"]),
            ],
            targetHealth: [
                "tg-1": [ELBTargetHealth(targetID: "i-1", state: "unhealthy")],
                "tg-2": [ELBTargetHealth(targetID: "i-2", state: "healthy")],
            ]
        ).assess()
        #expect(balancers.findings.map(\.arn) == ["arn:lb/app/idle"])
        #expect(balancers.findings.first?.monthlySaving.fixed == "16.4250")

        let databases = DatabaseAssessment(
            prices: PriceTable.standard.region("us-east-1"),
            databases: [
                RDSInstance(
                    identifier: "quiet", arn: "arn:db:quiet", instanceClass: "db.t3.micro", engine: "postgres",
                    status: "available", isMultiAZ: true, allocatedStorageGiB: 20, storageType: "gp2"),
                RDSInstance(
                    identifier: "unknown", arn: "arn:db:unknown", instanceClass: "db.t3.micro", engine: "postgres",
                    status: "available", isMultiAZ: false, allocatedStorageGiB: 20, storageType: "gp2"),
            ],
            metrics: UtilizationMetrics(databaseConnectionsDaily: ["quiet": [0, 0, 0, 0, 0, 0, 0]])
        ).assess()
        #expect(databases.resources.map(\.monthlyCost.fixed) == ["29.4200", "14.7100"])
        #expect(databases.findings.map(\.rule) == ["idle_rds_instance"])
        #expect(databases.findings.first?.monthlySaving.fixed == "24.8200")

        let logs = LogGroupAssessment(
            prices: PriceTable.standard.region("us-east-1"),
            logGroups: [
                LogGroup(
                    logGroupName: "/app/forever", arn: "arn:aws:logs:us-east-1:1:log-group:/app/forever:*",
                    retentionInDays: nil, storedBytes: 3 << 30),
                LogGroup(
                    logGroupName: "/app/kept", arn: "arn:aws:logs:us-east-1:1:log-group:/app/kept:*",
                    retentionInDays: 30, storedBytes: 1),
            ]
        ).assess()
        #expect(
            logs.resources.map(\.arn) == [
                "arn:aws:logs:us-east-1:1:log-group:/app/forever", "arn:aws:logs:us-east-1:1:log-group:/app/kept",
            ])
        #expect(logs.resources.map(\.monthlyCost.fixed) == ["0.0900", "0.0000"])
        #expect(logs.findings.map(\.rule) == ["log_group_without_retention"])

        let functions = FunctionAssessment(functions: [
            LambdaFunctionSummary(name: "f", arn: "arn:fn", runtime: nil, memorySizeMB: 128)
        ]).assess()
        #expect(functions.resources.first?.unpricedReason == "billed per request and duration")
        #expect(functions.resources.first?.monthlyCost == .zero)
    }
}

extension Money {
    /// The amount with all four decimals, as the oracle and the database write it.
    var fixed: String {
        let sign = units < 0 ? "-" : ""
        let fraction = String(abs(units) % Money.unitsPerDollar)
        return "\(sign)\(abs(units) / Money.unitsPerDollar)." + String(repeating: "0", count: 4 - fraction.count)
            + fraction
    }
}
