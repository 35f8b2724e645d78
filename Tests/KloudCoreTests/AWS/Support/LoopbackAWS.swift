import KloudTestSupport

@testable import KloudCore

extension LoopbackHTTPServer {
    /// A configuration sending every service to this server, with test credentials.
    func awsConfiguration(retryStrategy: RetryStrategy = .none) throws -> AWSConfiguration {
        AWSConfiguration(
            region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: "AKIDLOOPBACK", secretAccessKey: "loopback-secret"),
            endpointURL: try AWSEndpoint(url: url),
            retryStrategy: retryStrategy)
    }
}

/// Canned AWS answers for the loopback server.
enum CannedAWS {
    static let throttlingJSON = LoopbackHTTPServer.Reply.json(
        400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
    static let validationJSON = LoopbackHTTPServer.Reply.json(
        400, #"{"__type":"ValidationException","message":"1 validation error"}"#)
    static let unavailableHTML = LoopbackHTTPServer.Reply.response(
        status: 503, headers: [("Content-Type", "text/html")],
        body: Array("<html><body>Service Unavailable</body></html>".utf8))
    static let encryptOutput = LoopbackHTTPServer.Reply.json(
        200, #"{"CiphertextBlob":"AQID","KeyId":"arn:aws:kms:us-east-1:123456789012:key/k"}"#)
    static let throttlingXML = LoopbackHTTPServer.Reply.xml(
        400,
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>q</RequestId></ErrorResponse>"
    )
    static let callerIdentityXML = LoopbackHTTPServer.Reply.xml(
        200,
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>AID</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
    )
}
