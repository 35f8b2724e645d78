import FoundationEssentials

/// Where a function finds its database role's connection string: `DATABASE_URL` (the
/// emulator, tests), or in AWS the Secrets Manager secret `KLOUDHUB_DATABASE_SECRET_ARN` names,
/// a JSON document whose `url` is the string; the URL is then never in the function's
/// environment or in Terraform's state.
public enum DatabaseConnectionString {
    /// The connection string, fetched from Secrets Manager when the environment names a secret.
    public static func resolve(environment: [String: String], role: String) async throws -> String {
        if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
        guard let secretARN = environment["KLOUDHUB_DATABASE_SECRET_ARN"], !secretARN.isEmpty else {
            throw ConfigurationError(
                variable: "DATABASE_URL",
                reason: "the \(role) role's connection string, or KLOUDHUB_DATABASE_SECRET_ARN")
        }
        let aws = try AWSConfiguration(environment: environment)
        let text = try await SecretsManagerClient(
            configuration: aws, httpClient: HTTPClient(configuration: .init(environment: environment))
        ).secretString(id: secretARN)
        struct Secret: Decodable { var url: String }
        guard let secret = try? JSONDecoder().decode(Secret.self, from: Data(text.utf8)), !secret.url.isEmpty else {
            throw ConfigurationError(
                variable: "KLOUDHUB_DATABASE_SECRET_ARN", reason: "a secret holding {\"url\": ...}")
        }
        return secret.url
    }
}
