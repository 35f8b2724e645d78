import FoundationEssentials

/// KloudHub's own buckets and where an account's objects live in them: every object of an
/// account is under `accounts/<account id, lowercase>/` in each bucket, so erasing an account's
/// objects is deleting that prefix everywhere.
public struct AccountStorage: Sendable {
    /// The variables that name KloudHub's buckets, by purpose.
    public static let bucketVariables = [
        "state": "KLOUDHUB_STATE_BUCKET", "logs": "KLOUDHUB_LOGS_BUCKET", "blueprints": "KLOUDHUB_BLUEPRINTS_BUCKET",
        "exports": "KLOUDHUB_EXPORTS_BUCKET",
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

    /// The storage the environment names: the AWS configuration and every bucket variable set.
    public init(environment: [String: String], httpClient: HTTPClient) throws(AWSError) {
        var buckets: [String: String] = [:]
        for (purpose, variable) in Self.bucketVariables {
            if let name = environment[variable], !name.isEmpty { buckets[purpose] = name }
        }
        self.init(
            s3: S3Client(configuration: try AWSConfiguration(environment: environment), httpClient: httpClient),
            buckets: buckets)
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
