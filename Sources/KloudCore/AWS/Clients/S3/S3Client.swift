import Crypto
import FoundationEssentials

/// Amazon S3: objects in memory or streamed, listing, deletion.
///
/// Buckets are addressed virtual-host style (`bucket.s3.region.amazonaws.com`) at AWS's own
/// endpoint, and path style (`endpoint/bucket/key`) at a configured endpoint (a local AWS) or
/// for bucket names that cannot be a host label, as the SDKs do.
public struct S3Client: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .s3, configuration: configuration, httpClient: httpClient, credentialsProvider: credentials)
    }

    // MARK: - Buckets

    /// Creates a bucket in the client's region.
    public func createBucket(_ bucket: String) async throws(AWSError) {
        var request = try self.request("CreateBucket", "PUT", bucket: bucket)
        if client.signingRegion != "us-east-1" {
            let body =
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(XMLText.escaped(client.signingRegion))</LocationConstraint>"
                + "</CreateBucketConfiguration>"
            request.headers.add(name: "Content-Type", value: "application/xml")
            request.body = .bytes(Array(body.utf8))
        }
        _ = try await client.send(request)
    }

    // MARK: - Requests

    /// A request for a bucket or one of its objects, addressed as the endpoint requires.
    func request(
        _ operation: String, _ method: String, bucket: String, key: String? = nil
    ) throws(AWSError)
        -> AWSRequest
    {
        try Self.validate(bucket: bucket)
        if let key {
            guard !key.isEmpty, key.utf8.count <= 1024 else {
                throw .invalidRequest("S3", "an object key must be 1 to 1024 bytes")
            }
        }
        let encodedKey = key.map { SignableRequest.encodedPath($0) } ?? ""
        var request = AWSRequest(operation: operation, method: method)
        if client.hasCustomEndpoint || !Self.isVirtualHostCompatible(bucket) {
            request.path = "/" + SignableRequest.encodedPath(bucket) + (key == nil ? "" : "/" + encodedKey)
        } else {
            request.hostPrefix = bucket + "."
            request.path = "/" + encodedKey
        }
        return request
    }

    private static func validate(bucket: String) throws(AWSError) {
        let isValid =
            (3...255).contains(bucket.utf8.count)
            && bucket.utf8.allSatisfy { SigV4Encoding.isUnreserved($0) && $0 != UInt8(ascii: "~") }
        guard isValid else {
            throw .invalidRequest("S3", "a bucket name must be 3 to 255 letters, digits, '.', '-' or '_'")
        }
    }

    /// Whether the bucket can be the first label of a TLS host name: lowercase, no dots.
    private static func isVirtualHostCompatible(_ bucket: String) -> Bool {
        bucket.utf8.count <= 63
            && bucket.utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "-")
            }
            && bucket.first != "-" && bucket.last != "-"
    }

    /// `Content-MD5` of a body, which S3 requires for `DeleteObjects`.
    static func contentMD5(_ body: [UInt8]) -> String {
        Data(Insecure.MD5.hash(data: body)).base64EncodedString()
    }
}
