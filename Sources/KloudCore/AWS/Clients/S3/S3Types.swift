import FoundationEssentials

/// What S3 answered to a `PutObject`.
public struct S3PutObjectResult: Sendable, Hashable {
    /// The object's entity tag, quoted as S3 sends it.
    public var eTag: String?
    /// The version id, in a versioned bucket.
    public var versionID: String?
}

/// An object's metadata, from the headers of `GetObject` or `HeadObject`.
public struct S3ObjectMetadata: Sendable, Hashable {
    /// The size in bytes.
    public var contentLength: Int64?
    /// The media type it was stored with.
    public var contentType: String?
    /// The entity tag, quoted as S3 sends it.
    public var eTag: String?
    /// When it was last written.
    public var lastModified: Date?
    /// The version id, in a versioned bucket.
    public var versionID: String?
    /// User metadata (`x-amz-meta-*`), keyed by the lowercased name after the prefix.
    public var userMetadata: [String: String]

    init(headers: HTTPHeaders) {
        contentLength = headers["Content-Length"].flatMap { Int64($0) }
        contentType = headers["Content-Type"]
        eTag = headers["ETag"]
        lastModified = headers["Last-Modified"].flatMap(AWSTimestamp.httpDate)
        versionID = headers["x-amz-version-id"]
        var metadata: [String: String] = [:]
        for field in headers where field.name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(field.name.lowercased().dropFirst("x-amz-meta-".count))] = field.value
        }
        userMetadata = metadata
    }
}

/// An object fetched into memory.
public struct S3Object: Sendable {
    /// Its metadata.
    public var metadata: S3ObjectMetadata
    /// Its bytes.
    public var body: [UInt8]
}

/// One object of a listing.
public struct S3ObjectSummary: Sendable, Hashable {
    /// The key, decoded.
    public var key: String
    /// The size in bytes.
    public var size: Int64
    /// The entity tag, quoted.
    public var eTag: String?
    /// When it was last written.
    public var lastModified: Date?
    /// The storage class, such as `STANDARD`.
    public var storageClass: String?
}

/// One page of `ListObjectsV2`.
public struct S3ObjectListPage: Sendable, Hashable {
    /// The objects of the page.
    public var objects: [S3ObjectSummary]
    /// The prefixes rolled up by a delimiter.
    public var commonPrefixes: [String]
    /// The token for the next page; nil on the last page.
    public var nextContinuationToken: String?
}

/// What `DeleteObjects` did.
public struct S3DeleteObjectsResult: Sendable, Hashable {
    /// The keys deleted.
    public var deleted: [String]
    /// The keys S3 could not delete, with why.
    public var failures: [S3DeleteFailure]
}

/// A key `DeleteObjects` could not delete.
public struct S3DeleteFailure: Sendable, Hashable {
    /// The key.
    public var key: String
    /// S3's error code, such as `AccessDenied`.
    public var code: String
    /// S3's message.
    public var message: String?
}
