import FoundationEssentials

/// Where a function finds its database role's connection string: the Secrets Manager secret
/// `KLOUDHUB_DATABASE_SECRET_ARN` names, a JSON document whose `url` is the string (with RDS
/// also `username` and `password`, which RDS Proxy reads). The connection string is never in
/// a function's environment or in Terraform's state; in AWS, on this machine and in the tests
/// alike, it is read from the secret once, at init.
public struct DatabaseSecret: Sendable {
    /// The secret's ARN.
    public let secretARN: String

    public init(secretARN: String) {
        self.secretARN = secretARN
    }

    /// The secret a function's settings name.
    public init(reading environment: inout EnvironmentReader) throws(ConfigurationError) {
        guard let arn = environment.value(Setting.databaseSecret) else {
            throw ConfigurationError(
                variable: Setting.databaseSecret, reason: "the secret holding the database role's connection string")
        }
        self.init(secretARN: arn)
    }

    /// The connection string, read from Secrets Manager.
    public func connectionString(aws: AWSConfiguration, httpClient: HTTPClient) async throws -> String {
        let text = try await SecretsManagerClient(configuration: aws, httpClient: httpClient).secretString(
            id: secretARN)
        struct Secret: Decodable { var url: String }
        guard let secret = try? JSONDecoder().decode(Secret.self, from: Data(text.utf8)), !secret.url.isEmpty else {
            throw ConfigurationError(variable: Setting.databaseSecret, reason: "a secret holding {\"url\": ...}")
        }
        return secret.url
    }

    /// A client of the database, connecting on first use: the connection string read now, and
    /// every statement bounded by `statementTimeout`.
    public func client(
        aws: AWSConfiguration, httpClient: HTTPClient, statementTimeout: Duration = .seconds(10)
    ) async throws -> PostgresClient {
        PostgresClient(
            configuration: .init(
                connectionString: try await connectionString(aws: aws, httpClient: httpClient),
                statementTimeout: statementTimeout))
    }
}
