import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// PP-rights: an export holds every item of the account, none of another's, and no secret.
@Suite(.database, .serialized) struct AccountExportTests {
    let database: TestDatabase
    let maintenance: PostgresClient

    init() throws {
        database = try TestDatabase.required()
        maintenance = database.client(as: .maintenance)
    }

    func document(_ delivery: AccountExport.Delivery?) throws -> String {
        guard case .inline(let bytes)? = delivery else {
            throw TestSupportError("not inline: \(String(describing: delivery))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func holdsEveryItemOfTheAccountAndNoneOfAnother() async throws {
        let first = try ExportSecrets.plant(in: database, label: "first")
        let second = try ExportSecrets.plant(in: database, label: "second")

        let text = try document(
            try await AccountExport(database: maintenance, storage: nil).export(accountID: first.accountID))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["format"] as? String == AccountExport.format)
        for id in first.exportedIDs { #expect(text.contains(id.uuidString.lowercased()), "missing \(id)") }
        for id in second.exportedIDs { #expect(!text.contains(id.uuidString.lowercased()), "shows \(id)") }
        for section in ["cloudAccounts", "apiKeys", "klouds", "deployments", "scans", "resources", "requestLog"] {
            #expect((json[section] as? [Any])?.isEmpty == false, "\(section) is empty")
        }
    }

    @Test func holdsNoSecret() async throws {
        let first = try ExportSecrets.plant(in: database, label: "first")
        let second = try ExportSecrets.plant(in: database, label: "second")

        let text = try document(
            try await AccountExport(database: maintenance, storage: nil).export(accountID: first.accountID))

        for canary in first.canaries + second.canaries { #expect(!text.contains(canary), "shows a secret") }
        #expect(text.contains("[redacted]"))
        #expect(text.contains("Canary role account"))
    }

    /// moto's signature-checking mode reads only the Authorization header, so it cannot serve a
    /// presigned URL; the URL's signature is checked against botocore in S3PresignTests.
    @Test func aLargeExportGoesToTheExportsBucketBehindAPresignedURL() async throws {
        let account = try ExportSecrets.plant(in: database, label: "large")
        let storage = try await ErasureFixture.storage()
        let exporter = AccountExport(database: maintenance, storage: storage, inlineLimit: 100)

        let delivery = try await exporter.export(accountID: account.accountID)

        guard case .download(let url, let expiresAt, let size)? = delivery else {
            throw TestSupportError("not a download")
        }
        let prefix = "accounts/" + account.accountID.uuidString.lowercased() + "/exports/"
        #expect(url.contains("/" + storage.buckets["exports"]! + "/" + prefix))
        #expect(url.contains("X-Amz-Expires=900&") && url.contains("&X-Amz-Signature="))
        #expect(abs(expiresAt.timeIntervalSinceNow - 900) < 60)
        let stored = try await storage.s3.listAllObjects(bucket: storage.buckets["exports"]!, prefix: prefix)
        let object = try await storage.s3.getObject(
            bucket: storage.buckets["exports"]!, key: try #require(stored.first).key)
        let inline = try document(
            try await AccountExport(database: maintenance, storage: nil).export(accountID: account.accountID))
        #expect(object.body.count == size)
        #expect(inline.utf8.count == size)
        #expect(object.metadata.contentType == "application/json")
    }

    @Test func anUnknownAccountHasNoExport() async throws {
        #expect(try await AccountExport(database: maintenance, storage: nil).export(accountID: UUID()) == nil)
    }
}
