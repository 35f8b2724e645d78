import Crypto
import FoundationEssentials

/// Signs requests to one AWS service in one region with Signature Version 4.
///
/// Signing runs AWS's three steps, each available on its own for inspection:
/// ``canonicalRequest(for:payloadHash:)``, ``stringToSign(for:at:)`` and
/// ``signature(for:using:at:)``. ``sign(_:using:at:)`` puts the signature in the
/// `Authorization` header; ``presign(_:using:at:expiresIn:)`` puts it in the query string.
/// The date and the credentials are always passed in, so signing reads no clock and no
/// environment. The signer keeps the last signing key it derived; copies share it.
public struct SigV4Signer: Sendable {
    /// The algorithm name that opens every string to sign and `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// The longest lifetime AWS accepts for a presigned URL: seven days.
    public static let maximumExpiration = 604_800

    /// The signing name of the service, such as `s3`, `sts` or `execute-api`.
    public let service: String
    /// The region, such as `us-east-1`.
    public let region: String
    /// How paths, payloads and session tokens are treated.
    public let options: Options

    let keyCache = SigningKeyCache()

    /// Creates a signer with the options AWS prescribes for the service: ``Options/s3`` for
    /// `s3`, ``Options/standard`` for every other service.
    public init(service: String, region: String) {
        self.init(service: service, region: region, options: service == "s3" ? .s3 : .standard)
    }

    /// Creates a signer with explicit options.
    public init(service: String, region: String, options: Options) {
        self.service = service
        self.region = region
        self.options = options
    }

    // MARK: - Signing

    /// Signs the request with an `Authorization` header.
    ///
    /// The signed request carries `X-Amz-Date`, `X-Amz-Security-Token` when the credentials
    /// have a session token, `X-Amz-Content-SHA256` when ``Options/hasContentSHA256Header``
    /// is set, and `Authorization`; earlier values of those headers are replaced.
    public func sign(
        _ request: SignableRequest,
        using credentials: AWSCredentials,
        at date: Date
    ) throws(SigV4Error) -> SignedRequest {
        let timestamp = try validatedTimestamp(for: credentials, at: date)
        let sessionToken = credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        var request = request
        request.removeHeaders(named: "authorization")
        request.setHeader("X-Amz-Date", to: timestamp.dateTime)
        if let sessionToken {
            request.removeHeaders(named: "x-amz-security-token")
            if options.isSessionTokenSigned {
                request.headers.append(.init(name: "X-Amz-Security-Token", value: sessionToken))
            }
        }
        let payloadHash: String
        if options.hasContentSHA256Header {
            payloadHash = try configuredPayloadHash(for: request.body)
            request.setHeader("X-Amz-Content-SHA256", to: payloadHash)
        } else {
            payloadHash = try self.payloadHash(for: request)
        }

        let headers = try SigV4CanonicalForm.headers(request.headers)
        var signed = try signedRequest(request, headers: headers, payloadHash: payloadHash, credentials, timestamp)

        if let sessionToken, !options.isSessionTokenSigned {
            signed.request.headers.append(.init(name: "X-Amz-Security-Token", value: sessionToken))
        }
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(at: timestamp)), "
            + "SignedHeaders=\(headers.signedHeaders), Signature=\(signed.signature)"
        signed.request.headers.append(.init(name: "Authorization", value: authorization))
        return signed
    }

    /// Signs the request in its query string, making a presigned URL valid for `seconds`.
    ///
    /// The query gains `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders`, `X-Amz-Security-Token` (with a session token) and
    /// `X-Amz-Signature`, after the request's own items; stale ones are dropped. No header is
    /// added. For S3, set ``Options/payloadHash`` to ``PayloadHash/unsignedPayload``: whoever
    /// uses the URL sends the body.
    public func presign(
        _ request: SignableRequest,
        using credentials: AWSCredentials,
        at date: Date,
        expiresIn seconds: Int
    ) throws(SigV4Error) -> SignedRequest {
        let timestamp = try validatedTimestamp(for: credentials, at: date)
        guard (1...Self.maximumExpiration).contains(seconds) else { throw .invalidExpiration(seconds: seconds) }
        let sessionToken = credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        var request = request
        request.removeHeaders(named: "authorization")
        request.queryItems.removeAll { item in
            Self.presignParameterNames.contains(item.name)
                || (sessionToken != nil && item.name == "X-Amz-Security-Token")
        }
        let payloadHash = try self.payloadHash(for: request)
        let headers = try SigV4CanonicalForm.headers(request.headers)
        request.queryItems.append(contentsOf: [
            .init(name: "X-Amz-Algorithm", value: Self.algorithm),
            .init(name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(credentialScope(at: timestamp))"),
            .init(name: "X-Amz-Date", value: timestamp.dateTime),
            .init(name: "X-Amz-Expires", value: String(seconds)),
            .init(name: "X-Amz-SignedHeaders", value: headers.signedHeaders),
        ])
        if let sessionToken, options.isSessionTokenSigned {
            request.queryItems.append(.init(name: "X-Amz-Security-Token", value: sessionToken))
        }

        var signed = try signedRequest(request, headers: headers, payloadHash: payloadHash, credentials, timestamp)

        if let sessionToken, !options.isSessionTokenSigned {
            signed.request.queryItems.append(.init(name: "X-Amz-Security-Token", value: sessionToken))
        }
        signed.request.queryItems.append(.init(name: "X-Amz-Signature", value: signed.signature))
        return signed
    }

    /// Runs the three steps over a request that carries everything to be signed.
    private func signedRequest(
        _ request: SignableRequest,
        headers: SigV4CanonicalForm.Headers,
        payloadHash: String,
        _ credentials: AWSCredentials,
        _ timestamp: SigV4Timestamp
    ) throws(SigV4Error) -> SignedRequest {
        let canonical = try SigV4CanonicalForm.request(
            request,
            headers: headers,
            payloadHash: payloadHash,
            options: options
        )
        let stringToSign = stringToSignBytes(forCanonicalRequest: canonical, at: timestamp)
        let signature = signatureHex(for: stringToSign, secretAccessKey: credentials.secretAccessKey, at: timestamp)
        return SignedRequest(
            request: request,
            signature: signature,
            canonicalRequestBytes: canonical,
            stringToSignBytes: stringToSign
        )
    }

    /// Checks the scope and the credentials, and formats the date.
    private func validatedTimestamp(for credentials: AWSCredentials, at date: Date) throws(SigV4Error) -> SigV4Timestamp
    {
        try validateScope()
        try credentials.validate()
        return try SigV4Timestamp(date)
    }

    /// The query parameters a presigned URL owns; stale ones are dropped before signing.
    static let presignParameterNames: Set<String> = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ]

    // MARK: - Scope and payload

    /// `yyyyMMdd/region/service/aws4_request`.
    func credentialScope(at timestamp: SigV4Timestamp) -> String {
        "\(timestamp.dateStamp)/\(region)/\(service)/aws4_request"
    }

    func validateScope() throws(SigV4Error) {
        for part in [region, service] {
            if part.isEmpty || part.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") }) {
                throw .invalidScope("region and service must be non-empty, without '/', spaces or control characters")
            }
        }
    }

    /// The payload hash the canonical request ends with.
    ///
    /// An `X-Amz-Content-SHA256` header already on the request names it, because that header
    /// is where the service reads it from; otherwise ``Options/payloadHash`` decides.
    public func payloadHash(for request: SignableRequest) throws(SigV4Error) -> String {
        if let header = request.headers.last(where: { $0.name.isASCIICaseInsensitiveEqual(to: "x-amz-content-sha256") })
        {
            return header.value
        }
        return try configuredPayloadHash(for: request.body)
    }

    private func configuredPayloadHash(for body: [UInt8]) throws(SigV4Error) -> String {
        switch options.payloadHash {
        case .bodySHA256:
            return SigV4Encoding.sha256Hex(body)
        case .unsignedPayload:
            return "UNSIGNED-PAYLOAD"
        case .precomputed(let value):
            guard !value.isEmpty, value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw .invalidPayloadHash()
            }
            return value
        }
    }
}

// MARK: - Options

extension SigV4Signer {
    /// How a signer treats paths, payloads and session tokens; the defaults suit every
    /// service but S3.
    public struct Options: Sendable, Hashable {
        /// Percent-encode the (already encoded) path once more, as every service but S3
        /// expects: a path `/a%20b` signs as `/a%2520b`.
        public var isPathDoubleEncoded: Bool
        /// Drop empty and `.` segments and resolve `..` before signing, as every service but S3
        /// expects. A trailing `/` survives only when something is left before it.
        public var isPathNormalized: Bool
        /// Send the payload hash as a signed `X-Amz-Content-SHA256` header (replacing one on
        /// the request), as S3 requires. Header signing only: a presigned URL never carries it.
        public var hasContentSHA256Header: Bool
        /// What stands for the body in the canonical request.
        public var payloadHash: PayloadHash
        /// Sign the session token. When false the token is added after signing, outside the
        /// signature, as a few services (AWS IoT) require.
        public var isSessionTokenSigned: Bool

        /// Creates options; each default is the one for services other than S3.
        public init(
            isPathDoubleEncoded: Bool = true,
            isPathNormalized: Bool = true,
            hasContentSHA256Header: Bool = false,
            payloadHash: PayloadHash = .bodySHA256,
            isSessionTokenSigned: Bool = true
        ) {
            self.isPathDoubleEncoded = isPathDoubleEncoded
            self.isPathNormalized = isPathNormalized
            self.hasContentSHA256Header = hasContentSHA256Header
            self.payloadHash = payloadHash
            self.isSessionTokenSigned = isSessionTokenSigned
        }

        /// Every service but S3: path normalized and encoded twice, body hashed.
        public static var standard: Options { Options() }

        /// S3: path signed exactly as sent, body hash in `X-Amz-Content-SHA256`.
        public static var s3: Options {
            Options(isPathDoubleEncoded: false, isPathNormalized: false, hasContentSHA256Header: true)
        }
    }

    /// What stands for the body in the canonical request.
    public enum PayloadHash: Sendable, Hashable {
        /// The lowercase hex SHA-256 of the body.
        case bodySHA256
        /// The literal `UNSIGNED-PAYLOAD`: S3 over HTTPS, and S3 presigned URLs.
        case unsignedPayload
        /// A value the caller computed, such as a streaming upload's
        /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` or a hash of a body held elsewhere.
        case precomputed(String)
    }

    /// A request with its signature attached, and the intermediate values that produced it.
    ///
    /// When AWS answers `SignatureDoesNotMatch`, it returns its own canonical request and
    /// string to sign; compare them with these.
    ///
    /// The intermediate texts are kept as bytes and turned into strings only when read.
    public struct SignedRequest: Sendable, Hashable {
        /// The request to send: the input plus the signing headers or query items.
        public var request: SignableRequest
        /// The signature, lowercase hex (AWS's step 3).
        public let signature: String

        let canonicalRequestBytes: [UInt8]
        let stringToSignBytes: [UInt8]

        /// The canonical request that was hashed (AWS's step 1).
        public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
        /// The string to sign (AWS's step 2).
        public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
    }
}
