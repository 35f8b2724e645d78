import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// An account with a row in every table (``AccountFixture``), a working API key and objects under
/// its prefix in two buckets on moto; plus what tells whether it is gone.
struct ErasureFixture {
    let database: TestDatabase
    let fixture: AccountFixture
    let apiKey: String
    let storage: AccountStorage
    /// Objects put under the account's prefix, and under nobody's.
    static let objectsPerBucket = 3

    var accountID: UUID { fixture.accountID }

    static func insert(
        into database: TestDatabase, storage: AccountStorage, label: String
    ) async throws
        -> ErasureFixture
    {
        let fixture = try AccountFixture.insert(into: database, label: label)
        let key = try APIKeyService(database: database.client(as: .api)).create(
            account: fixture.accountID, name: "working key", scopes: [.read], expiresAt: nil)
        for bucket in storage.buckets.values {
            for index in 0..<objectsPerBucket {
                try await storage.s3.putObject(
                    bucket: bucket, key: AccountStorage.prefix(for: fixture.accountID) + "dir/object-\(index).txt",
                    body: Array("data \(index)".utf8))
            }
        }
        return ErasureFixture(database: database, fixture: fixture, apiKey: key.key, storage: storage)
    }

    /// Buckets on moto for one test, as KloudHub's state and logs buckets.
    static func storage() async throws -> AccountStorage {
        let moto = try await MotoServer.shared.endpoint()
        let s3 = S3Client(configuration: try moto.configuration(), httpClient: HTTPClient())
        var buckets: [String: String] = [:]
        for purpose in ["state", "logs", "exports"] {
            let bucket = uniqueName("kh-\(purpose)")
            try await s3.createBucket(bucket)
            buckets[purpose] = bucket
        }
        return AccountStorage(s3: s3, buckets: buckets)
    }

    /// Every row naming the account, by `table.column`.
    func rowsNamingTheAccount() throws -> [String: Int] {
        try database.rowsNaming(accountID)
    }

    /// The objects left under the account's prefix, in every bucket.
    func objectsLeft() async throws -> Int {
        var count = 0
        for bucket in storage.buckets.values {
            count += try await storage.s3.listAllObjects(bucket: bucket, prefix: AccountStorage.prefix(for: accountID))
                .count
        }
        return count
    }
}
