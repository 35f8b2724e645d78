import Foundation
import Testing

@testable import KloudCore

@Suite("The database connection string from Secrets Manager (moto, signatures checked)")
struct DatabaseSecretTests {
    private func configuration(_ moto: MotoServer.Endpoint) throws -> AWSConfiguration {
        try moto.configuration()
    }

    private func secrets(_ moto: MotoServer.Endpoint) throws -> SecretsManagerClient {
        SecretsManagerClient(configuration: try configuration(moto), httpClient: HTTPClient())
    }

    @Test func readsTheURLOfTheSecretTheSettingsName() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let url = "postgresql://kloudhub_api:p%40ss@db.example.com:6543/postgres?sslmode=verify-full"
        let arn = try await secrets(moto).putSecret(name: uniqueName("database-api"), text: #"{"url": "\#(url)"}"#)
        var environment = EnvironmentReader([Setting.databaseSecret: arn])

        let secret = try DatabaseSecret(reading: &environment)

        #expect(try await secret.connectionString(aws: configuration(moto), httpClient: HTTPClient()) == url)
        #expect(environment.kloudHubNames == [Setting.databaseSecret])
    }

    @Test func aSecondPutReplacesTheValueUnderTheSameARN() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let name = uniqueName("database-worker")
        let first = try await secrets(moto).putSecret(name: name, text: #"{"url": "postgresql:///one"}"#)
        let second = try await secrets(moto).putSecret(name: name, text: #"{"url": "postgresql:///two"}"#)

        #expect(first == second)
        #expect(
            try await DatabaseSecret(secretARN: first).connectionString(
                aws: configuration(moto), httpClient: HTTPClient())
                == "postgresql:///two")
    }

    @Test func refusesWhatItCannotUse() async throws {
        let moto = try await MotoServer.shared.endpoint()
        await #expect(throws: AWSError.self) {
            try await DatabaseSecret(secretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing")
                .connectionString(aws: configuration(moto), httpClient: HTTPClient())
        }
        let malformed = try await secrets(moto).putSecret(
            name: uniqueName("database-bad"), text: #"{"uri": "postgresql:///x"}"#)
        await #expect(throws: ConfigurationError.self) {
            try await DatabaseSecret(secretARN: malformed).connectionString(
                aws: configuration(moto), httpClient: HTTPClient())
        }
        var empty = EnvironmentReader(["DATABASE_URL": "postgresql:///local"])
        #expect(throws: ConfigurationError.self) { try DatabaseSecret(reading: &empty) }
    }

    @Test func trustsTheCABundleTheEnvironmentNames() {
        #expect(
            HTTPClient.Configuration(environment: ["AWS_CA_BUNDLE": "/var/task/ca.pem"]).caBundlePath
                == "/var/task/ca.pem")
        #expect(HTTPClient.Configuration(environment: [:]).caBundlePath == nil)
    }
}
