/// One operation's HTTP request before it is signed: the protocol layers build it, and
/// ``AWSServiceClient`` signs, sends and retries it.
struct AWSRequest: Sendable {
    /// The operation's name, such as `GetObject`.
    var operation: String
    var method: String
    /// The percent-encoded path below the endpoint's base path; starts with `/`.
    var path: String
    var queryItems: [SignableRequest.QueryItem] = []
    var headers = HTTPHeaders()
    var body: HTTPRequest.Body = .empty
    /// Labels put before the endpoint's host, such as `my-bucket.` for S3's virtual hosts.
    var hostPrefix = ""
    /// What the signature covers for a streamed body (an S3 upload): a precomputed SHA-256 or
    /// `UNSIGNED-PAYLOAD`. Bodies in memory are hashed by the signer.
    var streamedPayloadHash: SigV4Signer.PayloadHash?

    init(operation: String, method: String, path: String = "/") {
        self.operation = operation
        self.method = method
        self.path = path
    }
}
