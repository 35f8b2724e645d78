import Dispatch
import LambdaRuntime
import Synchronization

/// An HTTPS client over libcurl for function binaries, which must not link full Foundation.
///
/// TLS peers are always verified. Each transfer runs on a Dispatch thread, never on the
/// Swift concurrency pool, and waits at most the connect and total timeouts. The client keeps
/// its libcurl handles (and so their open connections) between requests, so a warm function
/// reuses its connections; concurrent requests each take a handle of their own.
///
/// Bodies too large for memory go through an ``HTTPBodySource`` (request) and an
/// ``HTTPBodySink`` (response).
public final class HTTPClient: Sendable {
    /// How the client connects and how much it buffers.
    public struct Configuration: Sendable {
        /// How long to wait for a connection (TCP and TLS).
        public var connectTimeout: Duration
        /// How long a whole exchange may take; a request's own ``HTTPRequest/timeout`` wins.
        public var timeout: Duration
        /// The most bytes of a response body held in memory.
        public var maximumBufferedBodySize: Int
        /// The most bytes of an error body kept when a successful body would have been streamed.
        public var maximumErrorBodySize: Int
        /// A PEM file of trusted certificate authorities, replacing the system's bundle.
        public var caBundlePath: String?
        /// How many idle handles (each with its open connections) the client keeps.
        public var maximumIdleHandles: Int
        /// The `User-Agent` sent with every request.
        public var userAgent: String

        /// Creates a configuration; the defaults suit calls to AWS from a Lambda function.
        public init(
            connectTimeout: Duration = .seconds(5),
            timeout: Duration = .seconds(120),
            maximumBufferedBodySize: Int = 64 << 20,
            maximumErrorBodySize: Int = 1 << 20,
            caBundlePath: String? = nil,
            maximumIdleHandles: Int = 4,
            userAgent: String = "kloudhub"
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maximumBufferedBodySize = maximumBufferedBodySize
            self.maximumErrorBodySize = maximumErrorBodySize
            self.caBundlePath = caBundlePath
            self.maximumIdleHandles = maximumIdleHandles
            self.userAgent = userAgent
        }
    }

    /// The configuration the client was created with.
    public let configuration: Configuration

    private let idleHandles = Mutex<[CurlEasyHandle]>([])
    private let connectionCount = Atomic<Int>(0)

    /// Creates a client.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// How many connections the client has opened so far; it grows only when no kept
    /// connection could be reused.
    public var openedConnectionCount: Int { connectionCount.load(ordering: .relaxed) }

    // MARK: - Requests

    /// Sends the request and returns the response with its body in memory.
    ///
    /// Any HTTP status is a response; only a failed exchange throws.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        try await run(request, sink: nil)
    }

    /// Sends the request and writes a successful (2xx) response body to `sink` as it arrives.
    ///
    /// The returned response has an empty body on success; for any other status it holds the
    /// error body (up to ``Configuration/maximumErrorBodySize`` bytes) and the sink sees nothing.
    public func execute(
        _ request: HTTPRequest, streamingBodyTo sink: any HTTPBodySink
    )
        async throws(HTTPClientError) -> HTTPResponse
    {
        try await run(request, sink: sink)
    }

    private func run(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws(HTTPClientError) -> HTTPResponse {
        if Task.isCancelled { throw .cancelled() }
        let timeLeft = InvocationDeadline.remaining
        if let timeLeft, timeLeft <= .zero {
            throw HTTPClientError(code: .timedOut, summary: "no time left before the invocation's deadline")
        }
        // A pinned request gets a handle of its own, dropped afterwards, so neither its resolve
        // entries nor its connection ever serve another request.
        let isPinned = !request.pinnedAddresses.isEmpty
        let handle = isPinned ? try CurlEasyHandle() : try checkOutHandle()
        let transfer = CurlTransfer(
            request: request,
            sink: sink,
            limits: .init(
                maximumBufferedBodySize: configuration.maximumBufferedBodySize,
                maximumErrorBodySize: configuration.maximumErrorBodySize,
                maximumResponseBodySize: request.maximumResponseBodySize))
        let options = CurlTransferOptions(
            connectTimeout: configuration.connectTimeout,
            timeout: configuration.timeout,
            caBundlePath: configuration.caBundlePath,
            userAgent: configuration.userAgent, timeLeft: timeLeft)
        let result = await withTaskCancellationHandler {
            await BlockingThread.run { transfer.perform(on: handle, options: options) }
        } onCancel: {
            transfer.cancel()
        }
        connectionCount.add(transfer.newConnectionCount, ordering: .relaxed)
        if !isPinned { checkIn(handle) }
        return try result.get()
    }

    // MARK: - Handle pool

    private func checkOutHandle() throws(HTTPClientError) -> CurlEasyHandle {
        if let handle = idleHandles.withLock({ $0.popLast() }) { return handle }
        return try CurlEasyHandle()
    }

    private func checkIn(_ handle: CurlEasyHandle) {
        let limit = configuration.maximumIdleHandles
        idleHandles.withLock { handles in
            if handles.count < limit { handles.append(handle) }
        }
    }
}

extension HTTPClient.Configuration {
    /// The defaults, trusting the authorities in `AWS_CA_BUNDLE` (the SDKs' variable) when it
    /// is set: a package for Amazon Linux carries its own bundle, since this machine's libcurl
    /// looks for Debian's.
    public init(environment: [String: String]) {
        var reader = EnvironmentReader(environment)
        self.init(reading: &reader)
    }

    /// The defaults with a function's `AWS_CA_BUNDLE`.
    public init(reading environment: inout EnvironmentReader) {
        self.init(caBundlePath: environment.value("AWS_CA_BUNDLE"))
    }
}
