import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport

@testable import scan

/// One local AWS per test process (moto with signature checks, seeded as the emulator seeds
/// it) and one estate seeded into its customer account by `Fixtures/estate.py`, with the
/// result the script expects.
actor SeededEstate {
    /// What the seed script says a scan must find, in the form ``EstateScanTests`` compares.
    struct Expected: Sendable {
        var resources: [String]
        var findings: [String]
        var totalCost: String
        var totalSaving: String
    }

    struct Estate: Sendable {
        var aws: LocalAWS
        var expected: Expected

        /// KloudHub's own access to AWS (its IAM user's key), as the scan function has it.
        func connections(database: PostgresClient) -> CloudConnections {
            let configuration = AWSConfiguration(
                region: "us-east-1",
                credentials: AWSCredentials(
                    accessKeyID: aws.seed.accessKeyID, secretAccessKey: aws.seed.secretAccessKey),
                endpointURL: try? AWSEndpoint(url: aws.endpoint.absoluteString))
            let http = HTTPClient()
            return CloudConnections(
                database: database, configuration: configuration, httpClient: http,
                sealer: SecretSealer(
                    kms: KMSClient(configuration: configuration, httpClient: http), keyID: aws.seed.kmsKeyARN))
        }
    }

    static let shared = SeededEstate()

    private var seeding: Task<Estate, any Error>?

    func estate(regions: [String], asOf: Date) async throws -> Estate {
        if let seeding { return try await seeding.value }
        let task = Task { try await seed(regions: regions, asOf: asOf) }
        seeding = task
        return try await task.value
    }

    private func seed(regions: [String], asOf: Date) async throws -> Estate {
        let root = URL(fileURLWithPath: TestEnvironment.packageRoot)
        let aws = try await SharedLocalAWS.start()
        let configuration = AWSConfiguration(
            region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: aws.seed.accessKeyID, secretAccessKey: aws.seed.secretAccessKey),
            endpointURL: try AWSEndpoint(url: aws.endpoint.absoluteString))
        let customer = try await STSClient(configuration: configuration, httpClient: HTTPClient()).assumeRole(
            roleARN: aws.seed.demoCustomer.roleARN, sessionName: "estate-seed",
            externalID: aws.seed.demoCustomer.externalID
        ).credentials
        let python =
            ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"].map(URL.init(fileURLWithPath:))
            ?? root.appendingPathComponent(".venv/bin/python")
        let outcome = try await CommandRunner.run(
            python,
            [
                root.appendingPathComponent("Tests/ScanTests/Fixtures/estate.py").path, "--endpoint",
                aws.endpoint.absoluteString, "--access-key-id", customer.accessKeyID, "--secret-access-key",
                customer.secretAccessKey, "--session-token", customer.sessionToken ?? "", "--regions",
                regions.joined(separator: ","), "--as-of", asOf.formatted(.iso8601), "--seed", "7",
            ])
        guard outcome.status == 0 else {
            throw SeedingFailed(output: String(decoding: outcome.errorOutput.suffix(3000), as: UTF8.self))
        }
        return Estate(aws: aws, expected: try Self.expected(from: outcome.output))
    }

    private static func expected(from output: Data) throws -> Expected {
        struct Document: Decodable {
            struct Resource: Decodable {
                var arn: String
                var resourceType: String
                var region: String
                var name: String
                var monthlyCost: String?
            }
            struct Finding: Decodable {
                var arn: String
                var rule: String
                var monthlySaving: String
            }
            var resources: [Resource]
            var findings: [Finding]
            var totalMonthlyCost: String
            var totalMonthlySaving: String
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let document = try decoder.decode(Document.self, from: output)
        return Expected(
            resources: document.resources.map {
                "\($0.arn) \($0.resourceType) \($0.region) \($0.name) \($0.monthlyCost ?? "null")"
            }.sorted(),
            findings: document.findings.map { "\($0.arn) \($0.rule) \($0.monthlySaving)" }.sorted(),
            totalCost: document.totalMonthlyCost, totalSaving: document.totalMonthlySaving)
    }
}

/// The seed script failed; its last output says why.
struct SeedingFailed: Error, CustomStringConvertible {
    var output: String
    var description: String { "estate.py failed: \(output)" }
}
