import FoundationEssentials

extension S3Client {
    /// One page of `ListObjectsV2` (up to `maxKeys`, at most 1000).
    public func listObjectsV2(
        bucket: String,
        prefix: String? = nil,
        delimiter: String? = nil,
        continuationToken: String? = nil,
        maxKeys: Int? = nil
    ) async throws(AWSError) -> S3ObjectListPage {
        var request = try self.request("ListObjectsV2", "GET", bucket: bucket)
        request.queryItems = [.init(name: "list-type", value: "2"), .init(name: "encoding-type", value: "url")]
        if let prefix { request.queryItems.append(.init(name: "prefix", value: prefix)) }
        if let delimiter { request.queryItems.append(.init(name: "delimiter", value: delimiter)) }
        if let continuationToken {
            request.queryItems.append(.init(name: "continuation-token", value: continuationToken))
        }
        if let maxKeys { request.queryItems.append(.init(name: "max-keys", value: String(max(1, min(maxKeys, 1000))))) }
        let root = try client.parseXML(try await client.send(request))
        guard root.name == "ListBucketResult" else {
            throw .malformedResponse("S3", "the root element is not ListBucketResult")
        }
        let isURLEncoded = root.text(of: "EncodingType") == "url"
        let decode: (String) throws(AWSError) -> String = { text throws(AWSError) in
            guard isURLEncoded else { return text }
            guard let decoded = Self.urlDecoded(text) else {
                throw .malformedResponse("S3", "a listed key is not URL-encoded as announced")
            }
            return decoded
        }
        var objects: [S3ObjectSummary] = []
        for element in root.children("Contents") {
            guard let key = element.text(of: "Key"), let size = element.text(of: "Size").flatMap({ Int64($0) }) else {
                throw .malformedResponse("S3", "a listed object has no key or size")
            }
            objects.append(
                S3ObjectSummary(
                    key: try decode(key), size: size, eTag: element.text(of: "ETag"),
                    lastModified: element.text(of: "LastModified").flatMap(AWSTimestamp.iso8601),
                    storageClass: element.text(of: "StorageClass")))
        }
        var commonPrefixes: [String] = []
        for element in root.children("CommonPrefixes") {
            if let prefix = element.text(of: "Prefix") { commonPrefixes.append(try decode(prefix)) }
        }
        let isTruncated = root.text(of: "IsTruncated") == "true"
        let nextToken = root.text(of: "NextContinuationToken")
        guard !isTruncated || nextToken != nil else {
            throw .malformedResponse("S3", "a truncated listing has no NextContinuationToken")
        }
        return S3ObjectListPage(
            objects: objects, commonPrefixes: commonPrefixes, nextContinuationToken: isTruncated ? nextToken : nil)
    }

    /// Every object under the prefix, following continuation tokens for at most `maximumPages`
    /// pages of `pageSize` keys (S3's 1000 when nil).
    public func listAllObjects(
        bucket: String,
        prefix: String? = nil,
        pageSize: Int? = nil,
        maximumPages: Int = AWSPagination.defaultMaximumPages
    ) async throws(AWSError) -> [S3ObjectSummary] {
        var objects: [S3ObjectSummary] = []
        try await AWSPagination.forEachPage(service: "S3", maximumPages: maximumPages) {
            token throws(AWSError) in
            let page = try await listObjectsV2(
                bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
            return (page, page.nextContinuationToken)
        } body: { page throws(AWSError) in
            objects += page.objects
        }
        return objects
    }

    /// Decodes S3's `encoding-type=url` text: `%XX` escapes and `+` for a space.
    static func urlDecoded(_ text: String) -> String? {
        let plusFree = String(text.map { $0 == "+" ? " " : $0 })
        guard let bytes = SigV4Encoding.percentDecoded(Substring(plusFree).utf8) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
