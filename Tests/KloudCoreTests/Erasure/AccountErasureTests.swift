import Crypto
import Foundation
import KloudCore
import KloudTestSupport
import Logging
import Testing

/// An account's erasure on real Postgres and moto: every row and object gone, the other account
/// untouched, the record without personal data, and the same end after a stop at any step.
@Suite(.database, .serialized) struct AccountErasureTests {
    let database: TestDatabase
    let maintenance: PostgresClient

    init() throws {
        database = try TestDatabase.required()
        maintenance = database.client(as: .maintenance)
    }

    func erasure(_ storage: AccountStorage) -> AccountErasure {
        AccountErasure(database: maintenance, storage: storage, batchSize: 2)
    }

    @Test func erasesEveryRowAndObjectOfTheAccountAndNothingOfAnother() async throws {
        let storage = try await ErasureFixture.storage()
        let target = try await ErasureFixture.insert(into: database, storage: storage, label: "target")
        let other = try await ErasureFixture.insert(into: database, storage: storage, label: "other")
        let otherRows = try other.rowsNamingTheAccount()

        let outcome = try await erasure(storage).resume(
            accountID: target.accountID, reason: .userRequest, deadline: .unlimited)

        guard case .completed(let record) = outcome else { throw TestSupportError("not completed: \(outcome)") }
        #expect(try target.rowsNamingTheAccount().isEmpty)
        #expect(try await target.objectsLeft() == 0)
        #expect(try other.rowsNamingTheAccount() == otherRows)
        #expect(try await other.objectsLeft() == ErasureFixture.objectsPerBucket * storage.buckets.count)
        #expect(record.steps == ErasureStep.allCases)
        #expect(record.counts["objects_deleted"] == ErasureFixture.objectsPerBucket * storage.buckets.count)
        #expect(record.counts["keys_revoked"] == 2)
        #expect(record.counts["accounts_deleted"] == 1)
        #expect(record.counts["resources_deleted"] == 1)
    }

    @Test func theRecordKeepsOnlyASaltedHashOfTheAccountID() async throws {
        let storage = try await ErasureFixture.storage()
        let target = try await ErasureFixture.insert(into: database, storage: storage, label: "hashed")

        let outcome = try await erasure(storage).resume(
            accountID: target.accountID, reason: .clerkWebhook, deadline: .unlimited)

        guard case .completed(let record) = outcome else { throw TestSupportError("not completed: \(outcome)") }
        let row = try #require(
            try maintenance.query(
                "select account_id, account_id_salt, account_id_hash from kloudhub.deletion_records where id = \(record.id)"
            ).first)
        let (accountID, salt, hash) = try row.decode((UUID?, Data, Data).self)
        #expect(accountID == nil)
        let expected = Data(SHA256.hash(data: Array(salt) + Array(target.accountID.uuidString.lowercased().utf8)))
        #expect(hash == expected)
    }

    @Test func accessEndsAtTheFirstStep() async throws {
        let storage = try await ErasureFixture.storage()
        let target = try await ErasureFixture.insert(into: database, storage: storage, label: "access")
        let api = database.client(as: .api)
        let authenticator = Authenticator(database: api, clerk: nil)
        let request = TestRequests.request(headers: ["authorization": "Bearer \(target.apiKey)"])
        _ = try await authenticator.authenticate(request, policy: .restAPI)

        let record = try #require(try erasure(storage).begin(accountID: target.accountID, reason: .userRequest))

        #expect(record.steps == [.accessRevoked])
        await #expect(throws: AuthenticationError.self) {
            try await authenticator.authenticate(request, policy: .restAPI)
        }
        let unrevoked = try maintenance.query(
            "select count(*) from kloudhub.api_keys where account_id = \(target.accountID) and revoked_at is null")
        #expect(try unrevoked.first?.decode(Int.self) == 0)
    }

    @Test func theSecondStepDestroysCredentialsAndCancelsRunningWork() async throws {
        let storage = try await ErasureFixture.storage()
        let target = try await ErasureFixture.insert(into: database, storage: storage, label: "cloud")
        let worker = database.client(as: .worker)
        try worker.transaction(scopedTo: target.accountID) { transaction in
            try transaction.execute(
                "update kloudhub.scans set status = 'running', started_at = now() where id = \(target.fixture.id(in: .scans))"
            )
        }

        let outcome = try await erasure(storage).resume(
            accountID: target.accountID, reason: .userRequest, through: .cloudAccessEnded, deadline: .unlimited)

        guard case .unfinished(let record) = outcome else { throw TestSupportError("finished early: \(outcome)") }
        #expect(record.steps == [.accessRevoked, .cloudAccessEnded])
        let (ciphertext, dataKey, status) = try worker.transaction(scopedTo: target.accountID) { transaction in
            try #require(
                try transaction.query(
                    "select credential_ciphertext, encrypted_data_key, status from kloudhub.cloud_accounts where account_id = \(target.accountID)"
                ).first
            ).decode((Data?, Data?, String).self)
        }
        #expect(ciphertext == nil && dataKey == nil && status == "disconnected")
        let work = try maintenance.query(
            """
            select (select status from kloudhub.scans where account_id = \(target.accountID)),
                   (select status from kloudhub.deployments where account_id = \(target.accountID)),
                   (select finished_at is not null from kloudhub.scans where account_id = \(target.accountID))
            """)
        let (scan, deployment, isFinished) = try #require(try work.first?.decode((String, String, Bool).self))
        #expect(scan == "cancelled" && deployment == "cancelled" && isFinished)
        #expect(try await target.objectsLeft() > 0)
    }

    @Test(arguments: ErasureStep.allCases.dropLast())
    func endsTheSameAfterStoppingAt(step: ErasureStep) async throws {
        let storage = try await ErasureFixture.storage()
        let reference = try await ErasureFixture.insert(into: database, storage: storage, label: "reference")
        let stopped = try await ErasureFixture.insert(into: database, storage: storage, label: "stopped")
        let eraser = erasure(storage)
        guard
            case .completed(let expected) = try await eraser.resume(
                accountID: reference.accountID, reason: .userRequest, deadline: .unlimited)
        else { throw TestSupportError("the reference erasure did not complete") }

        let first = try await eraser.resume(
            accountID: stopped.accountID, reason: .userRequest, through: step, deadline: .unlimited)
        let second = try await eraser.resume(accountID: stopped.accountID, reason: .userRequest, deadline: .unlimited)
        let third = try await eraser.resume(accountID: stopped.accountID, reason: .userRequest, deadline: .unlimited)

        guard case .unfinished(let partial) = first, case .completed(let record) = second else {
            throw TestSupportError("unexpected outcomes: \(first), \(second)")
        }
        #expect(partial.steps == ErasureStep.allCases.filter { $0 <= step })
        #expect(third == .nothingToErase)
        #expect(record.steps == expected.steps)
        #expect(record.counts == expected.counts)
        #expect(try stopped.rowsNamingTheAccount().isEmpty)
        #expect(try await stopped.objectsLeft() == 0)
    }
}
