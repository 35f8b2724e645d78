import FoundationEssentials

/// AWS Secrets Manager's one read the functions need: a secret's current string, which holds
/// the connection string of a function's database role in AWS.
public struct SecretsManagerClient: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .secretsManager, configuration: configuration, httpClient: httpClient,
            credentialsProvider: credentials)
    }

    /// The current `SecretString` of a secret, by name or ARN.
    public func secretString(id: String) async throws(AWSError) -> String {
        struct Input: Encodable {
            var secretID: String
            enum CodingKeys: String, CodingKey { case secretID = "SecretId" }
        }
        struct Output: Decodable {
            var secretString: String?
            enum CodingKeys: String, CodingKey { case secretString = "SecretString" }
        }
        let output = try await client.json(operation: "GetSecretValue", input: Input(secretID: id), output: Output.self)
        guard let text = output.secretString else {
            throw .malformedResponse(client.service.id, "the secret has no SecretString")
        }
        return text
    }
}
