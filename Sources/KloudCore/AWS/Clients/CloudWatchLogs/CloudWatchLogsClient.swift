import FoundationEssentials

/// Amazon CloudWatch Logs' read operation the scan uses: the log groups, with their retention
/// and stored bytes.
public struct CloudWatchLogsClient: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .cloudWatchLogs, configuration: configuration, httpClient: httpClient,
            credentialsProvider: credentials)
    }

    public func describeLogGroups() async throws(AWSError) -> [LogGroup] {
        struct Input: Encodable {
            var limit = 50
            var nextToken: String?
        }
        struct Output: Decodable {
            var logGroups: [LogGroup]?
            var nextToken: String?
        }
        return try await AWSPagination.allPages(service: client.service.id) { token throws(AWSError) in
            let output = try await client.json(
                operation: "DescribeLogGroups", input: Input(nextToken: token), output: Output.self)
            return (output.logGroups ?? [], output.nextToken)
        }.flatMap { $0 }
    }
}

/// A log group.
public struct LogGroup: Sendable, Hashable, Decodable {
    public var logGroupName: String
    /// The ARN, which ends in `:*`.
    public var arn: String?
    /// Days events are kept; nil keeps them for ever.
    public var retentionInDays: Int?
    public var storedBytes: Int64?

    public init(logGroupName: String, arn: String?, retentionInDays: Int?, storedBytes: Int64?) {
        self.logGroupName = logGroupName
        self.arn = arn
        self.retentionInDays = retentionInDays
        self.storedBytes = storedBytes
    }
}
