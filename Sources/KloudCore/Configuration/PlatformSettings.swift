import FoundationEssentials

/// What every KloudHub function reads besides its own settings: how to reach AWS (the
/// variables Lambda sets and the AWS SDKs' conventions), the CA bundle, its deployed name, and
/// the secret of its manifest's database role.
public struct PlatformSettings: Sendable {
    /// KloudHub's own AWS account: the function role's credentials, region and endpoints.
    public var aws: AWSConfiguration
    public var http: HTTPClient.Configuration
    /// The function's deployed name (`AWS_LAMBDA_FUNCTION_NAME`), for invoking itself.
    public var functionName: String
    /// The secret holding the connection string of the function's database role.
    public var database: DatabaseSecret
    /// Whether API requests are written to the request log (PP-logs); off only for the
    /// benchmark that measures what logging costs.
    public var logsRequests: Bool

    public init(reading environment: inout EnvironmentReader) throws {
        aws = try AWSConfiguration(reading: &environment)
        http = HTTPClient.Configuration(reading: &environment)
        functionName = environment.value("AWS_LAMBDA_FUNCTION_NAME") ?? "local"
        database = try DatabaseSecret(reading: &environment)
        logsRequests = !environment.isSet(.requestLog, to: "off")
    }

    /// The database, its connection string read from the secret now: a client for the
    /// function's statements (each bounded by `statementTimeout`), and the request log on a
    /// connection of its own with a short timeout, so a slow log write never holds a request.
    public func openDatabase(
        httpClient: HTTPClient, statementTimeout: Duration = .seconds(10)
    ) async throws -> (database: PostgresClient, requestLog: RequestLog?) {
        let url = try await database.connectionString(aws: aws, httpClient: httpClient)
        let client = PostgresClient(configuration: .init(connectionString: url, statementTimeout: statementTimeout))
        let log = logsRequests ? RequestLog(connectionString: url) : nil
        return (client, log)
    }
}
