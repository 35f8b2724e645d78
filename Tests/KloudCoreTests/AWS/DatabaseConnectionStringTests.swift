import Foundation
import Testing

@testable import KloudCore

@Suite("Database connection string from the environment or Secrets Manager (moto, signatures checked)")
struct DatabaseConnectionStringTests {
    /// Stores `text` as a new secret and returns its ARN.
    private func secret(_ text: String, _ moto: MotoServer.Endpoint) async throws -> String {
        let client = AWSServiceClient(
            service: .secretsManager, configuration: try moto.configuration(), httpClient: HTTPClient(),
            credentialsProvider: nil)
        struct Input: Encodable {
            var name: String
            var secretString: String
            enum CodingKeys: String, CodingKey { case name = "Name", secretString = "SecretString" }
        }
        struct Output: Decodable {
            var arn: String
            enum CodingKeys: String, CodingKey { case arn = "ARN" }
        }
        return try await client.json(
            operation: "CreateSecret", input: Input(name: uniqueName("database-api"), secretString: text),
            output: Output.self
        ).arn
    }

    private func environment(_ moto: MotoServer.Endpoint, secretARN: String) -> [String: String] {
        [
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.url, "AWS_ACCESS_KEY_ID": moto.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey, "KLOUDHUB_DATABASE_SECRET_ARN": secretARN,
        ]
    }

    @Test func readsTheURLOfTheSecretTheEnvironmentNames() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let url = "postgresql://kloudhub_api:p%40ss@db.example.com:6543/postgres?sslmode=verify-full"
        let arn = try await secret(#"{"url": "\#(url)"}"#, moto)
        #expect(
            try await DatabaseConnectionString.resolve(environment: environment(moto, secretARN: arn), role: "api")
                == url)
    }

    @Test func prefersDatabaseURLAndRefusesWhatItCannotUse() async throws {
        let moto = try await MotoServer.shared.endpoint()
        var given = environment(moto, secretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing")
        given["DATABASE_URL"] = "postgresql:///local"
        #expect(try await DatabaseConnectionString.resolve(environment: given, role: "api") == "postgresql:///local")
        given["DATABASE_URL"] = nil
        await #expect(throws: AWSError.self) {
            try await DatabaseConnectionString.resolve(environment: given, role: "api")
        }
        let malformed = try await secret(#"{"uri": "postgresql:///x"}"#, moto)
        await #expect(throws: ConfigurationError.self) {
            try await DatabaseConnectionString.resolve(
                environment: environment(moto, secretARN: malformed), role: "api")
        }
        await #expect(throws: ConfigurationError.self) {
            try await DatabaseConnectionString.resolve(environment: ["AWS_REGION": "us-east-1"], role: "api")
        }
    }

    @Test func trustsTheCABundleTheEnvironmentNames() {
        #expect(
            HTTPClient.Configuration(environment: ["AWS_CA_BUNDLE": "/var/task/ca.pem"]).caBundlePath
                == "/var/task/ca.pem")
        #expect(HTTPClient.Configuration(environment: [:]).caBundlePath == nil)
    }
}
