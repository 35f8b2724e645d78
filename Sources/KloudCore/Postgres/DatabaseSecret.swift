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

    /// The fields of a database secret that KloudHub reads: `url`, the connection string, and
    /// with RDS `username`.
    struct Contents: Sendable, Decodable {
        var url: String
        var username: String?
    }

    /// Decodes a database secret's JSON; throws the decoder's error when it is not
    /// `{"url": ...}`, which each caller turns into an error of its own.
    static func contents(of text: String) throws -> Contents {
        try JSONDecoder().decode(Contents.self, from: Data(text.utf8))
    }

    /// The connection string, read from Secrets Manager.
    public func connectionString(aws: AWSConfiguration, httpClient: HTTPClient) async throws -> String {
        let text = try await SecretsManagerClient(configuration: aws, httpClient: httpClient).secretString(
            id: secretARN)
        guard let contents = try? Self.contents(of: text), !contents.url.isEmpty else {
            throw ConfigurationError(variable: Setting.databaseSecret, reason: "a secret holding {\"url\": ...}")
        }
        return contents.url
    }
}
