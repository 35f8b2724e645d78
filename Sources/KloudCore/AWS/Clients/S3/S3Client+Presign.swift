import FoundationEssentials

extension S3Client {
    /// A URL that fetches the object without credentials for `seconds` (at most seven days, and
    /// never longer than the signing credentials last): a SigV4 presigned `GET`, payload unsigned
    /// as S3 requires.
    public func presignedGetObjectURL(
        bucket: String, key: String, expiresIn seconds: Int
    ) async throws(AWSError)
        -> String
    {
        let request = try self.request("GetObject", "GET", bucket: bucket, key: key)
        var options = SigV4Signer.Options.s3
        options.payloadHash = .unsignedPayload
        return try await client.presignedURL(request, expiresIn: seconds, options: options)
    }
}
