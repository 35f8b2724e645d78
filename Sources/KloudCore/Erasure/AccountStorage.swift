import FoundationEssentials

/// KloudHub's own buckets and where an account's objects live in them: every object of an
/// account is under `accounts/<account id, lowercase>/` in each bucket, so erasing an account's
/// objects is deleting that prefix everywhere.
public struct AccountStorage: Sendable {
    /// The settings that name KloudHub's buckets, by purpose.
    public static let bucketSettings: [String: Setting] = [
        "state": .stateBucket, "logs": .logsBucket, "blueprints": .blueprintsBucket, "exports": .exportsBucket,
    ]

    /// The S3 client, with KloudHub's own credentials.
    public let s3: S3Client
    /// Bucket names by purpose (`state`, `logs`, `blueprints`, `exports`).
    public let buckets: [String: String]

    /// Storage over explicit buckets.
    public init(s3: S3Client, buckets: [String: String]) {
        self.s3 = s3
        self.buckets = buckets
    }

    /// The buckets a function's settings name, by purpose; a purpose whose setting is unset is
    /// left out.
    public static func buckets(reading environment: inout EnvironmentReader) -> [String: String] {
        var buckets: [String: String] = [:]
        for (purpose, setting) in bucketSettings {
            if let name = environment.value(setting) { buckets[purpose] = name }
        }
        return buckets
    }

    /// The key prefix of every object of the account.
    public static func prefix(for accountID: UUID) -> String {
        "accounts/\(accountID.uuidString.lowercased())/"
    }

    /// Deletes up to `pageSize` objects under the account's prefix in one bucket and returns how
    /// many went; zero when none are left.
    public func deleteObjects(
        of accountID: UUID, inBucket bucket: String, pageSize: Int = 1000
    ) async throws(AWSError)
        -> Int
    {
        let page = try await s3.listObjectsV2(bucket: bucket, prefix: Self.prefix(for: accountID), maxKeys: pageSize)
        guard !page.objects.isEmpty else { return 0 }
        let result = try await s3.deleteObjects(bucket: bucket, keys: page.objects.map(\.key))
        if let failure = result.failures.first {
            throw .invalidRequest("S3", "an object could not be deleted: \(failure.code)")
        }
        return result.deleted.count
    }
}
