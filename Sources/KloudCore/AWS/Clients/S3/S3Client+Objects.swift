import FoundationEssentials

extension S3Client {
    /// Stores an object held in memory.
    @discardableResult
    public func putObject(
        bucket: String,
        key: String,
        body: [UInt8],
        contentType: String? = nil,
        metadata: [String: String] = [:]
    ) async throws(AWSError) -> S3PutObjectResult {
        var request = try self.request("PutObject", "PUT", bucket: bucket, key: key)
        Self.addObjectHeaders(to: &request, contentType: contentType, metadata: metadata)
        request.body = .bytes(body)
        return Self.putResult(try await client.send(request))
    }

    /// Stores an object read from a source while it is sent, so its size is bounded by the
    /// source, not by memory.
    ///
    /// S3 needs the length up front. The payload is signed as `UNSIGNED-PAYLOAD` (TLS protects
    /// it) unless `payloadSHA256` (lowercase hex) is given. A source that can rewind lets a
    /// failed attempt be retried.
    @discardableResult
    public func putObject(
        bucket: String,
        key: String,
        source: any HTTPBodySource,
        length: Int64,
        contentType: String? = nil,
        payloadSHA256: String? = nil,
        metadata: [String: String] = [:]
    ) async throws(AWSError) -> S3PutObjectResult {
        guard length >= 0 else { throw .invalidRequest("S3", "the length must not be negative") }
        var request = try self.request("PutObject", "PUT", bucket: bucket, key: key)
        Self.addObjectHeaders(to: &request, contentType: contentType, metadata: metadata)
        request.body = .stream(source, length: length)
        request.streamedPayloadHash = payloadSHA256.map { .precomputed($0) } ?? .unsignedPayload
        return Self.putResult(try await client.send(request))
    }

    /// Fetches an object into memory.
    public func getObject(bucket: String, key: String) async throws(AWSError) -> S3Object {
        let request = try self.request("GetObject", "GET", bucket: bucket, key: key)
        let response = try await client.send(request)
        return S3Object(metadata: S3ObjectMetadata(headers: response.headers), body: response.body)
    }

    /// Fetches an object into a sink, chunk by chunk, and returns its metadata.
    ///
    /// A failure after the first chunk reached the sink is not retried (the sink would see
    /// bytes twice); the caller starts over.
    public func getObject(
        bucket: String,
        key: String,
        streamingTo sink: any HTTPBodySink
    ) async throws(AWSError) -> S3ObjectMetadata {
        let request = try self.request("GetObject", "GET", bucket: bucket, key: key)
        let response = try await client.send(request, streamingBodyTo: sink)
        return S3ObjectMetadata(headers: response.headers)
    }

    /// An object's metadata; a missing object is an ``AWSError`` with code `NotFound`.
    public func headObject(bucket: String, key: String) async throws(AWSError) -> S3ObjectMetadata {
        let request = try self.request("HeadObject", "HEAD", bucket: bucket, key: key)
        return S3ObjectMetadata(headers: try await client.send(request).headers)
    }

    /// Deletes an object; deleting a missing object succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws(AWSError) {
        let request = try self.request("DeleteObject", "DELETE", bucket: bucket, key: key)
        _ = try await client.send(request)
    }

    /// Deletes up to 1000 objects in one call and reports which were deleted and which not.
    public func deleteObjects(bucket: String, keys: [String]) async throws(AWSError) -> S3DeleteObjectsResult {
        guard (1...1000).contains(keys.count) else {
            throw .invalidRequest("S3", "DeleteObjects takes 1 to 1000 keys")
        }
        var request = try self.request("DeleteObjects", "POST", bucket: bucket)
        request.queryItems = [.init(name: "delete")]
        var xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for key in keys {
            guard !key.isEmpty, key.utf8.count <= 1024 else {
                throw .invalidRequest("S3", "an object key must be 1 to 1024 bytes")
            }
            xml += "<Object><Key>\(XMLText.escaped(key))</Key></Object>"
        }
        xml += "</Delete>"
        let body = Array(xml.utf8)
        request.headers.add(name: "Content-Type", value: "application/xml")
        request.headers.add(name: "Content-MD5", value: Self.contentMD5(body))
        request.body = .bytes(body)
        let root = try client.parseXML(try await client.send(request))
        guard root.name == "DeleteResult" else {
            throw .malformedResponse("S3", "the root element is not DeleteResult")
        }
        return S3DeleteObjectsResult(
            deleted: root.children("Deleted").compactMap { $0.text(of: "Key") },
            failures: root.children("Error").map {
                S3DeleteFailure(
                    key: $0.text(of: "Key") ?? "", code: $0.text(of: "Code") ?? "", message: $0.text(of: "Message"))
            })
    }

    private static func addObjectHeaders(
        to request: inout AWSRequest, contentType: String?, metadata: [String: String]
    ) {
        request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            request.headers.add(name: "x-amz-meta-\(name)", value: value)
        }
    }

    private static func putResult(_ response: HTTPResponse) -> S3PutObjectResult {
        S3PutObjectResult(eTag: response.headers["ETag"], versionID: response.headers["x-amz-version-id"])
    }
}
