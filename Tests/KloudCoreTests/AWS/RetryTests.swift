import KloudTestSupport
import LambdaRuntime
import Testing

@testable import KloudCore

@Suite("Retries in the SDKs' standard mode")
struct RetryTests {
    // MARK: - State machine

    private static let throttled = AWSError.service(
        "KMS", serviceCode: "ThrottlingException", message: nil, requestID: nil, statusCode: 400)
    private static let invalid = AWSError.service(
        "KMS", serviceCode: "ValidationException", message: nil, requestID: nil, statusCode: 400)

    @Test func backsOffExponentiallyWithFullJitter() {
        var state = RetryState(strategy: RetryStrategy())

        let first = state.attemptFailed(Self.throttled, isReplayable: true, jitter: 0.5)
        let second = state.attemptFailed(Self.throttled, isReplayable: true, jitter: 0.5)
        let third = state.attemptFailed(Self.throttled, isReplayable: true, jitter: 0.5)

        #expect(first == .retry(after: .milliseconds(50), cost: 5))
        #expect(second == .retry(after: .milliseconds(100), cost: 5))
        #expect(third == .fail)
    }

    @Test func capsTheBackoffAtTwentySeconds() {
        let strategy = RetryStrategy(maxAttempts: 20)

        #expect(strategy.backoffCeiling(beforeRetry: 1) == .milliseconds(100))
        #expect(strategy.backoffCeiling(beforeRetry: 8) == .milliseconds(12_800))
        #expect(strategy.backoffCeiling(beforeRetry: 9) == .seconds(20))
        #expect(strategy.backoffCeiling(beforeRetry: 40) == .seconds(20))
    }

    @Test func neverRetriesAClientError() {
        var state = RetryState(strategy: RetryStrategy())

        #expect(state.attemptFailed(Self.invalid, isReplayable: true, jitter: 0.5) == .fail)
    }

    @Test func neverRetriesABodyThatCannotBeSentAgain() {
        var state = RetryState(strategy: RetryStrategy())

        #expect(state.attemptFailed(Self.throttled, isReplayable: false, jitter: 0.5) == .fail)
    }

    @Test func chargesMoreForATimeout() {
        var state = RetryState(strategy: RetryStrategy())
        let timeout = AWSError.transport(
            "S3", HTTPClientError(code: .timedOut, summary: "the request timed out"))

        #expect(
            state.attemptFailed(timeout, isReplayable: true, jitter: 1) == .retry(after: .milliseconds(100), cost: 10))
    }

    @Test func givesRetryTokensBackOnSuccess() {
        var state = RetryState(strategy: RetryStrategy())
        _ = state.attemptFailed(Self.throttled, isReplayable: true, jitter: 0)

        #expect(state.attemptSucceeded() == .releaseTokens(5))
    }

    // MARK: - Against a loopback server

    @Test func retriesThrottlingAndUnavailableWithGrowingDelays() async throws {
        let server = try LoopbackHTTPServer(replies: [
            CannedAWS.throttlingJSON, CannedAWS.unavailableHTML, CannedAWS.encryptOutput,
        ])
        let sleeper = RecordingSleeper()
        let kms = KMSClient(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy()), httpClient: HTTPClient())

        let result = try await kms.encrypt(keyID: "k", plaintext: [1, 2, 3])

        #expect(result.ciphertextBlob == [1, 2, 3])
        #expect(server.requests.count == 3)
        #expect(sleeper.delays == [.milliseconds(50), .milliseconds(100)])
        #expect(server.requests.allSatisfy { $0.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 ") == true })
    }

    @Test func stopsAfterThreeAttempts() async throws {
        let server = try LoopbackHTTPServer(replies: [CannedAWS.throttlingJSON])
        let sleeper = RecordingSleeper()
        let kms = KMSClient(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy()), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await kms.encrypt(keyID: "k", plaintext: [1]) }

        #expect(error.serviceCode == "ThrottlingException")
        #expect(server.requests.count == 3)
        #expect(sleeper.delays.count == 2)
    }

    @Test func doesNotWaitForARetryPastTheInvocationsDeadline() async throws {
        let server = try LoopbackHTTPServer(replies: [CannedAWS.throttlingJSON])
        let sleeper = RecordingSleeper()
        let kms = KMSClient(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy(jitter: 0.999)),
            httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) {
            try await InvocationDeadline.$waitsEndBy.withValue(ContinuousClock.now + .milliseconds(60)) {
                try await kms.encrypt(keyID: "k", plaintext: [1])
            }
        }

        #expect(error.serviceCode == "ThrottlingException")
        #expect(server.requests.count == 1, "a backoff of about 100 ms does not fit in 60 ms")
        #expect(sleeper.delays.isEmpty)
    }

    @Test func doesNotRetryAValidationError() async throws {
        let server = try LoopbackHTTPServer(replies: [CannedAWS.validationJSON, CannedAWS.encryptOutput])
        let sleeper = RecordingSleeper()
        let kms = KMSClient(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy()), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await kms.encrypt(keyID: "k", plaintext: [1]) }

        #expect(error.code == .serviceError)
        #expect(error.serviceCode == "ValidationException")
        #expect(error.statusCode == 400)
        #expect(server.requests.count == 1)
        #expect(sleeper.delays.isEmpty)
    }

    @Test func doesNotRetryAccessDenied() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .xml(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>"), .response(status: 200),
        ])
        let sleeper = RecordingSleeper()
        let s3 = S3Client(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy()), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await s3.deleteObject(bucket: "bucket", key: "k") }

        #expect(error.serviceCode == "AccessDenied")
        #expect(server.requests.count == 1)
    }

    @Test func retriesQueryProtocolThrottling() async throws {
        let server = try LoopbackHTTPServer(replies: [CannedAWS.throttlingXML, CannedAWS.callerIdentityXML])
        let sleeper = RecordingSleeper()
        let sts = STSClient(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy(jitter: 0.25)),
            httpClient: HTTPClient())

        let identity = try await sts.getCallerIdentity()

        #expect(identity.account == "123456789012")
        #expect(sleeper.delays == [.milliseconds(25)])
        #expect(server.requests.count == 2)
    }

    @Test func retriesS3SlowDownAndInternalErrors() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .xml(503, "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"),
            .xml(500, "<Error><Code>InternalError</Code><Message>oops</Message></Error>"),
            .response(status: 200, headers: [("ETag", "\"e\"")]),
        ])
        let sleeper = RecordingSleeper()
        let s3 = S3Client(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy(jitter: 1)),
            httpClient: HTTPClient())

        let result = try await s3.putObject(bucket: "bucket", key: "k", body: Array("abc".utf8))

        #expect(result.eTag == "\"e\"")
        #expect(sleeper.delays == [.milliseconds(100), .milliseconds(200)])
        #expect(server.requests.map(\.bodyText) == ["abc", "abc", "abc"])
    }

    @Test func retriesALostConnection() async throws {
        let server = try LoopbackHTTPServer(replies: [.close, CannedAWS.encryptOutput])
        let sleeper = RecordingSleeper()
        let kms = KMSClient(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy()), httpClient: HTTPClient())

        _ = try await kms.encrypt(keyID: "k", plaintext: [1])

        #expect(sleeper.delays.count == 1)
    }

    @Test func retriesAStreamedUploadFromTheStart() async throws {
        let server = try LoopbackHTTPServer(replies: [CannedAWS.unavailableHTML, .response(status: 200)])
        let sleeper = RecordingSleeper()
        let s3 = S3Client(
            configuration: try server.awsConfiguration(retryStrategy: sleeper.strategy()), httpClient: HTTPClient())
        let source = PatternBodySource(length: 100_000)

        try await s3.putObject(bucket: "bucket", key: "k", source: source, length: source.length)

        #expect(server.requests.count == 2)
        #expect(server.requests.allSatisfy { $0.body.count == 100_000 })
        #expect(server.requests[0].body == server.requests[1].body)
        #expect(server.requests[1].headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
    }

    @Test func stopsRetryingWhenTheQuotaIsSpent() async throws {
        let server = try LoopbackHTTPServer(replies: [CannedAWS.throttlingJSON])
        let quota = RetryQuota()
        #expect(quota.acquire(RetryQuota.capacity - 5))
        let sleeper = RecordingSleeper()
        var strategy = sleeper.strategy()
        strategy = RetryStrategy(maxAttempts: 3, quota: quota, sleep: strategy.sleep, random: strategy.random)
        let kms = KMSClient(
            configuration: try server.awsConfiguration(retryStrategy: strategy), httpClient: HTTPClient())

        _ = try await #require(throws: AWSError.self) { try await kms.encrypt(keyID: "k", plaintext: [1]) }

        #expect(server.requests.count == 2)
        #expect(quota.available == 0)
    }
}
