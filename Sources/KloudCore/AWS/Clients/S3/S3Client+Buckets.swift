import FoundationEssentials

extension S3Client {
    /// The account's buckets (ListBuckets, followed to its last page).
    public func listBuckets() async throws(AWSError) -> [S3Bucket] {
        try await AWSPagination.allPages(service: "S3") { token throws(AWSError) in
            var request = AWSRequest(operation: "ListBuckets", method: "GET")
            request.queryItems = [.init(name: "max-buckets", value: "1000")]
            if let token { request.queryItems.append(.init(name: "continuation-token", value: token)) }
            let root = try client.parseXML(try await client.send(request))
            guard root.name == "ListAllMyBucketsResult" else {
                throw .malformedResponse("S3", "the root element is not ListAllMyBucketsResult")
            }
            let buckets = (root.child("Buckets")?.children("Bucket") ?? []).compactMap { element -> S3Bucket? in
                guard let name = element.text(of: "Name") else { return nil }
                return S3Bucket(
                    name: name, creationDate: element.text(of: "CreationDate").flatMap(AWSTimestamp.iso8601),
                    region: element.text(of: "BucketRegion"))
            }
            return (buckets, root.text(of: "ContinuationToken"))
        }.flatMap { $0 }
    }
}

/// A bucket as ListBuckets shows it.
public struct S3Bucket: Sendable, Hashable {
    public var name: String
    public var creationDate: Date?
    /// The bucket's region, where the service reports it.
    public var region: String?

    public init(name: String, creationDate: Date?, region: String?) {
        self.name = name
        self.creationDate = creationDate
        self.region = region
    }
}
