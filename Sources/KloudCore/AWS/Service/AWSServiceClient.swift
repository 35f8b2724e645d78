import FoundationEssentials
import LambdaRuntime
import Synchronization

/// The engine behind every AWS client: it signs a request with SigV4, sends it over the
/// ``HTTPClient``, turns an error status into an ``AWSError`` by the service's protocol, and
/// retries by the ``RetryStrategy``.
struct AWSServiceClient: Sendable {
    let service: AWSService
    let signingRegion: String
    let endpoint: AWSEndpoint
    let hasCustomEndpoint: Bool
    let credentialsProvider: (any AWSCredentialsProvider)?
    let httpClient: HTTPClient
    let retryStrategy: RetryStrategy
    let now: @Sendable () -> Date
    private let signer: SigV4Signer

    init(
        service: AWSService,
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentialsProvider: (any AWSCredentialsProvider)?
    ) {
        self.service = service
        signingRegion = configuration.signingRegion(for: service)
        (endpoint, hasCustomEndpoint) = configuration.endpoint(for: service)
        self.credentialsProvider =
            credentialsProvider ?? configuration.credentials.map { StaticCredentialsProvider($0) }
        self.httpClient = httpClient
        retryStrategy = configuration.retryStrategy
        now = configuration.now
        signer = SigV4Signer(service: service.signingName, region: signingRegion)
    }

    // MARK: - Sending

    /// Sends the request, retrying throttling and transient failures, and returns the
    /// successful (2xx) response; with a sink, its body goes there.
    func send(
        _ request: AWSRequest, streamingBodyTo sink: (any HTTPBodySink)? = nil
    ) async throws(AWSError)
        -> HTTPResponse
    {
        var retry = RetryState(strategy: retryStrategy)
        while true {
            let tracker = sink.map { DeliveryTrackingSink($0) }
            do throws(AWSError) {
                let response = try await attempt(request, sink: tracker)
                if case .releaseTokens(let count) = retry.attemptSucceeded(), count > 0 {
                    retryStrategy.quota.release(count)
                }
                return response
            } catch {
                let isReplayable = !(tracker?.hasDelivered ?? false) && request.body.rewind()
                switch retry.attemptFailed(error, isReplayable: isReplayable, jitter: retryStrategy.random()) {
                case .fail:
                    throw error
                case .retry(let delay, let cost):
                    guard retryStrategy.quota.acquire(cost) else {
                        retry.quotaExhausted()
                        throw error
                    }
                    // No retry the invocation could not wait for.
                    if let timeLeft = InvocationDeadline.remaining, timeLeft <= delay {
                        retry.quotaExhausted()
                        throw error
                    }
                    do {
                        try await retryStrategy.sleep(delay)
                    } catch {
                        throw AWSError.transport(service.id, .cancelled())
                    }
                }
            }
        }
    }

    private func attempt(_ request: AWSRequest, sink: (any HTTPBodySink)?) async throws(AWSError) -> HTTPResponse {
        guard let credentialsProvider else { throw .missingCredentials(service.id) }
        let credentials = try await credentialsProvider.credentials()
        let httpRequest = try signed(request, with: credentials)
        let response: HTTPResponse
        do {
            if let sink {
                response = try await httpClient.execute(httpRequest, streamingBodyTo: sink)
            } else {
                response = try await httpClient.execute(httpRequest)
            }
        } catch {
            throw .transport(service.id, error)
        }
        guard response.isSuccess else {
            throw AWSErrorParser.error(from: response, service: service, method: request.method)
        }
        return response
    }

    // MARK: - Signing

    /// The request signed for sending: `Host`, `X-Amz-Date`, the session token and
    /// `Authorization` added.
    func signed(_ request: AWSRequest, with credentials: AWSCredentials) throws(AWSError) -> HTTPRequest {
        let host = request.hostPrefix + endpoint.host
        var headers: [SignableRequest.Header] = [.init(name: "Host", value: host)]
        headers += request.headers.map { SignableRequest.Header(name: $0.name, value: $0.value) }
        let body: [UInt8]
        var requestSigner = signer
        switch request.body {
        case .empty: body = []
        case .bytes(let bytes): body = bytes
        case .stream: body = []
        }
        if case .stream = request.body {
            var options = signer.options
            options.payloadHash = request.streamedPayloadHash ?? .unsignedPayload
            requestSigner = SigV4Signer(service: signer.service, region: signer.region, options: options)
        }
        let signable = SignableRequest(
            method: request.method,
            path: endpoint.basePath + request.path,
            queryItems: request.queryItems,
            headers: headers,
            body: body)
        let signedRequest: SignableRequest
        do {
            signedRequest = try requestSigner.sign(signable, using: credentials, at: now()).request
        } catch {
            throw .invalidRequest(service.id, "the request cannot be signed", underlying: error)
        }
        return HTTPRequest(
            method: request.method,
            url: "\(endpoint.scheme)://\(host)\(signedRequest.requestTarget)",
            headers: HTTPHeaders(signedRequest.headers.map { HTTPHeaders.Field(name: $0.name, value: $0.value) }),
            body: request.body)
    }
}

/// Passes chunks on to a sink and remembers whether any went through, because a call whose
/// body has started to reach its sink cannot be retried.
private final class DeliveryTrackingSink: HTTPBodySink {
    private let sink: any HTTPBodySink
    private let delivered = Atomic<Bool>(false)

    init(_ sink: any HTTPBodySink) {
        self.sink = sink
    }

    var hasDelivered: Bool { delivered.load(ordering: .relaxed) }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        delivered.store(true, ordering: .relaxed)
        try sink.write(chunk)
    }
}
