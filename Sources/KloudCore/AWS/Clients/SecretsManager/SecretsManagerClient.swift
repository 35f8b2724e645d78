import FoundationEssentials

/// AWS Secrets Manager: the one read the functions need (a secret's current string, which holds
/// the connection string of a function's database role), and a write that only the tests use
/// to store connection strings (the emulator's secrets come from
/// `scripts/local_aws_provision.py`).
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

    /// Stores `text` as the current value of the secret `name`, creating the secret if it does
    /// not exist, and returns its ARN.
    public func putSecret(name: String, text: String) async throws(AWSError) -> String {
        struct Create: Encodable {
            var name: String
            var secretString: String
            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case secretString = "SecretString"
            }
        }
        struct Put: Encodable {
            var secretID: String
            var secretString: String
            enum CodingKeys: String, CodingKey {
                case secretID = "SecretId"
                case secretString = "SecretString"
            }
        }
        struct Output: Decodable {
            var arn: String
            enum CodingKeys: String, CodingKey { case arn = "ARN" }
        }
        do {
            return try await client.json(
                operation: "CreateSecret", input: Create(name: name, secretString: text), output: Output.self
            ).arn
        } catch  where error.serviceCode == "ResourceExistsException" {
            return try await client.json(
                operation: "PutSecretValue", input: Put(secretID: name, secretString: text), output: Output.self
            ).arn
        }
    }
}
