import FoundationEssentials
import KloudCore

/// Reads one connected AWS account, a unit at a time, with the credentials the connection
/// gives (an assumed role or opened access keys), and prices what it finds.
struct AccountReader: Sendable {
    var configuration: AWSConfiguration
    var credentials: any AWSCredentialsProvider
    var httpClient: HTTPClient
    var awsAccountID: String
    var homeRegion: String
    var prices = PriceTable.standard
    /// The time rules judge ages and metric windows by.
    var now: Date
    /// Metric requests in flight at once within a unit.
    var metricConcurrency = 8

    private func configuration(for region: String) -> AWSConfiguration {
        var regional = configuration
        regional.region = region == "global" ? homeRegion : region
        return regional
    }

    /// The regions enabled for the account.
    func enabledRegions() async throws(AWSError) -> [String] {
        try await EC2Client(
            configuration: configuration(for: homeRegion), httpClient: httpClient, credentials: credentials
        )
        .describeRegions()
    }

    /// The unit's resources and findings, regions set.
    func read(_ unit: ScanUnit) async throws -> UnitResult {
        var result = try await assess(unit)
        for index in result.resources.indices { result.resources[index].region = unit.region }
        return result
    }

    private func assess(_ unit: ScanUnit) async throws -> UnitResult {
        let regional = configuration(for: unit.region)
        let regionPrices = prices.region(unit.region)
        switch unit.service {
        case .ec2:
            let ec2 = EC2Client(configuration: regional, httpClient: httpClient, credentials: credentials)
            let instances = try await ec2.describeInstances()
            let volumes = try await ec2.describeVolumes()
            // Owner=self is not honoured by every endpoint (moto lists public snapshots too).
            let snapshots = try await ec2.describeOwnSnapshots().filter { $0.ownerID == awsAccountID }
            let addresses = try await ec2.describeAddresses()
            let gateways = try await ec2.describeNatGateways()
            let cloudWatch = CloudWatchClient(configuration: regional, httpClient: httpClient, credentials: credentials)
            var metrics = UtilizationMetrics()
            metrics.cpuDailyAverage = try await daily(
                cloudWatch, ids: instances.filter { $0.state == "running" }.map(\.id), namespace: "AWS/EC2",
                metric: "CPUUtilization", dimension: "InstanceId", days: 14, statistic: .average)
            metrics.natBytesDaily = try await daily(
                cloudWatch, ids: gateways.filter { $0.state == "available" }.map(\.id), namespace: "AWS/NATGateway",
                metric: "BytesOutToDestination", dimension: "NatGatewayId", days: 14, statistic: .sum)
            return EC2Assessment(
                region: unit.region, accountID: awsAccountID, prices: regionPrices, now: now, instances: instances,
                volumes: volumes, snapshots: snapshots, addresses: addresses, natGateways: gateways, metrics: metrics
            ).assess()
        case .elbv2:
            let elb = ELBv2Client(configuration: regional, httpClient: httpClient, credentials: credentials)
            let balancers = try await elb.describeLoadBalancers()
            let groups = try await elb.describeTargetGroups()
            var health: [String: [ELBTargetHealth]] = [:]
            for group in groups where !group.loadBalancerARNs.isEmpty {
                health[group.arn] = try await elb.describeTargetHealth(targetGroupARN: group.arn)
            }
            return LoadBalancerAssessment(
                prices: regionPrices, loadBalancers: balancers, targetGroups: groups, targetHealth: health
            ).assess()
        case .rds:
            let databases = try await RDSClient(
                configuration: regional, httpClient: httpClient, credentials: credentials
            )
            .describeDBInstances()
            var metrics = UtilizationMetrics()
            metrics.databaseConnectionsDaily = try await daily(
                CloudWatchClient(configuration: regional, httpClient: httpClient, credentials: credentials),
                ids: databases.map(\.identifier), namespace: "AWS/RDS", metric: "DatabaseConnections",
                dimension: "DBInstanceIdentifier", days: 7, statistic: .maximum)
            return DatabaseAssessment(prices: regionPrices, databases: databases, metrics: metrics).assess()
        case .lambda:
            let functions = try await LambdaClient(
                configuration: regional, httpClient: httpClient, credentials: credentials
            ).listFunctions()
            return FunctionAssessment(functions: functions).assess()
        case .logs:
            let groups = try await CloudWatchLogsClient(
                configuration: regional, httpClient: httpClient, credentials: credentials
            ).describeLogGroups()
            return LogGroupAssessment(prices: regionPrices, logGroups: groups).assess()
        case .s3:
            let buckets = try await S3Client(configuration: regional, httpClient: httpClient, credentials: credentials)
                .listBuckets()
            return BucketAssessment(buckets: buckets).assess()
        }
    }

    /// One statistic per day over the last `days` days, for each id, `metricConcurrency` at a time.
    private func daily(
        _ cloudWatch: CloudWatchClient, ids: [String], namespace: String, metric: String, dimension: String,
        days: Int, statistic: CloudWatchClient.Statistic
    ) async throws -> [String: [Double]] {
        let start = now.addingTimeInterval(-Double(days) * 86_400)
        let end = now
        return try await withThrowingTaskGroup(of: (String, [Double]).self) { group in
            var values: [String: [Double]] = [:]
            var pending = ids[...]
            func add() {
                guard let id = pending.popFirst() else { return }
                group.addTask {
                    let points = try await cloudWatch.getMetricStatistics(
                        namespace: namespace, metricName: metric, dimensions: [dimension: id], from: start, to: end,
                        period: .seconds(86_400), statistic: statistic)
                    return (id, points.map(\.value))
                }
            }
            for _ in 0..<metricConcurrency { add() }
            while let (id, points) = try await group.next() {
                values[id] = points
                add()
            }
            return values
        }
    }
}
