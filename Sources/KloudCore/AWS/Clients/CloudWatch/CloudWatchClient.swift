import FoundationEssentials

/// Amazon CloudWatch metrics: the statistics of one metric over a window.
public struct CloudWatchClient: Sendable {
    /// A statistic GetMetricStatistics computes per period.
    public enum Statistic: String, Sendable {
        case average = "Average"
        case sum = "Sum"
        case maximum = "Maximum"
        case minimum = "Minimum"
    }

    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .cloudWatch, configuration: configuration, httpClient: httpClient,
            credentialsProvider: credentials)
    }

    /// One value per period of `statistic` for the metric, oldest first; periods without data
    /// are absent.
    public func getMetricStatistics(
        namespace: String, metricName: String, dimensions: [String: String],
        from start: Date, to end: Date, period: Duration, statistic: Statistic
    ) async throws(AWSError) -> [CloudWatchDatapoint] {
        var request = QueryRequest(action: "GetMetricStatistics")
        request.set("Namespace", namespace)
        request.set("MetricName", metricName)
        for (index, name) in dimensions.keys.sorted().enumerated() {
            request.set("Dimensions.member.\(index + 1).Name", name)
            request.set("Dimensions.member.\(index + 1).Value", dimensions[name])
        }
        request.set("StartTime", start.formatted(.iso8601))
        request.set("EndTime", end.formatted(.iso8601))
        request.set("Period", String(period.components.seconds))
        request.set("Statistics.member.1", statistic.rawValue)
        let result = try await client.query(request)
        return (result.child("Datapoints")?.children("member") ?? []).compactMap { member in
            guard let time = member.text(of: "Timestamp").flatMap(AWSTimestamp.iso8601),
                let value = member.text(of: statistic.rawValue).flatMap(Double.init)
            else { return nil }
            return CloudWatchDatapoint(timestamp: time, value: value)
        }.sorted { $0.timestamp < $1.timestamp }
    }
}

/// One period's statistic.
public struct CloudWatchDatapoint: Sendable, Hashable {
    public var timestamp: Date
    public var value: Double

    public init(timestamp: Date, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}
