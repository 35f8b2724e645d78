import Crypto
import FoundationEssentials

/// AWS's three signing steps, each callable on its own.
extension SigV4Signer {
    /// A canonical request (step 1) and the header list it signs.
    public struct CanonicalRequest: Sendable, Hashable {
        /// The canonical request text: method, path, query, headers, signed headers, payload hash.
        public let text: String
        /// The signed header names, lowercase, sorted and joined by `;`.
        public let signedHeaders: String
    }

    /// Step 1: the canonical request of a request that already carries its signing headers
    /// (`X-Amz-Date`, …) or query items (`X-Amz-Credential`, …).
    public func canonicalRequest(
        for request: SignableRequest,
        payloadHash: String
    ) throws(SigV4Error) -> CanonicalRequest {
        let headers = try SigV4CanonicalForm.headers(request.headers)
        let bytes = try SigV4CanonicalForm.request(
            request, headers: headers, payloadHash: payloadHash, options: options)
        return CanonicalRequest(text: String(decoding: bytes, as: UTF8.self), signedHeaders: headers.signedHeaders)
    }

    /// Step 2: the string to sign, which binds the canonical request's hash to the time and
    /// the credential scope.
    public func stringToSign(for canonicalRequest: CanonicalRequest, at date: Date) throws(SigV4Error) -> String {
        try validateScope()
        let bytes = stringToSignBytes(
            forCanonicalRequest: Array(canonicalRequest.text.utf8), at: try SigV4Timestamp(date))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Step 3: the signature of a string to sign, lowercase hex.
    public func signature(
        for stringToSign: String,
        using credentials: AWSCredentials,
        at date: Date
    ) throws(SigV4Error) -> String {
        try validateScope()
        try credentials.validate()
        return signatureHex(
            for: Array(stringToSign.utf8),
            secretAccessKey: credentials.secretAccessKey,
            at: try SigV4Timestamp(date)
        )
    }

    // MARK: - Byte-level steps

    func stringToSignBytes(forCanonicalRequest canonical: [UInt8], at timestamp: SigV4Timestamp) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + region.utf8.count + service.utf8.count)
        bytes.append(contentsOf: Self.algorithm.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: timestamp.dateTime.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: timestamp.dateStamp.utf8)
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: region.utf8)
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: service.utf8)
        bytes.append(contentsOf: "/aws4_request\n".utf8)
        bytes.append(contentsOf: SigV4Encoding.sha256Hex(canonical).utf8)
        return bytes
    }

    func signatureHex(for stringToSign: [UInt8], secretAccessKey: String, at timestamp: SigV4Timestamp) -> String {
        var authenticator = signingAuthenticator(secretAccessKey: secretAccessKey, dateStamp: timestamp.dateStamp)
        stringToSign.withUnsafeBytes { authenticator.update(data: $0) }
        return authenticator.finalize().withUnsafeBytes { SigV4Encoding.lowercaseHex($0, count: $0.count) }
    }

    /// An HMAC keyed with the signing key
    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`,
    /// reused from the cache while the secret and the day stay the same.
    func signingAuthenticator(secretAccessKey: String, dateStamp: String) -> HMAC<SHA256> {
        keyCache.authenticator(secretAccessKey: secretAccessKey, dateStamp: dateStamp) {
            var key = SymmetricKey(data: Array("AWS4\(secretAccessKey)".utf8))
            for part in [dateStamp, region, service, "aws4_request"] {
                key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
            }
            return HMAC<SHA256>(key: key)
        }
    }
}
