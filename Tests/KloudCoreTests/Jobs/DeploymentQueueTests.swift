import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// Queuing a deployment: the row, then the job for the deploy function.
@Suite(.database) struct DeploymentQueueTests {
    /// A Lambda API nobody answers: every invoke fails, as one IAM refuses would.
    private static let unreachableLambda = LambdaClient(
        configuration: AWSConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyID: "AKIAQUEUETEST0000001", secretAccessKey: "x"),
            endpointURL: try! AWSEndpoint(url: "http://127.0.0.1:9"), retryStrategy: .none),
        httpClient: HTTPClient())

    @Test func aRunThatCannotStartIsMarkedFailedAndDoesNotBlockItsKloud() async throws {
        let database = try TestDatabase.required()
        let fixture = try AccountFixture.insert(into: database, label: "queue")
        let kloud = UUID()
        try database.client(as: .worker).transaction(scopedTo: fixture.accountID) { transaction in
            try transaction.execute(
                "insert into kloudhub.klouds (id, account_id, name) values (\(kloud), \(fixture.accountID), 'queue')")
        }
        let queue = DeploymentQueue(
            database: database.client(as: .api), jobs: JobQueue(lambda: Self.unreachableLambda, functionName: "deploy"))
        func start() async -> DeploymentQueue.Refusal? {
            do {
                _ = try await queue.queue(
                    kloudID: kloud, cloudAccountID: fixture.id(in: .cloudAccounts), action: .plan, idempotencyKey: nil,
                    account: fixture.accountID)
                return nil
            } catch {
                return error as? DeploymentQueue.Refusal
            }
        }

        let first = await start()
        let second = await start()

        guard case .notStarted(let firstID)? = first, case .notStarted(let secondID)? = second else {
            Issue.record(
                "expected two runs not started, got \(String(describing: first)), \(String(describing: second))")
            return
        }
        #expect(firstID != secondID, "the first did not stay queued and block the second")
        let rows = try database.client(as: .maintenance).query(
            "select status, error_code from kloudhub.deployments where id in (\(firstID), \(secondID))"
        ).decode((String, String?).self)
        #expect(rows.count == 2 && rows.allSatisfy { $0.0 == "failed" && $0.1 == "not_started" })
    }
}
