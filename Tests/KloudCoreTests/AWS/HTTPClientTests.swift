import Crypto
import Foundation
import KloudTestSupport
import LambdaRuntime
import Testing

@testable import KloudCore

@Suite("HTTP client over libcurl")
struct HTTPClientTests {
    @Test func sendsTheRequestAndReadsTheResponse() async throws {
        let server = try LoopbackHTTPServer { request in
            .response(status: 201, headers: [("X-Echo-Method", request.method)], body: request.body.reversed())
        }
        let client = HTTPClient()

        let response = try await client.execute(
            HTTPRequest(
                method: "POST", url: "\(server.url)/items?a=1", headers: ["Content-Type": "text/plain"],
                body: .bytes(Array("hello".utf8))))

        #expect(response.status == 201)
        #expect(response.headers["x-echo-method"] == "POST")
        #expect(response.body == Array("olleh".utf8))
        let received = try #require(server.requests.first)
        #expect(received.target == "/items?a=1")
        #expect(received.headers["content-type"] == "text/plain")
        #expect(received.headers["content-length"] == "5")
        #expect(received.headers["expect"] == nil)
    }

    @Test func reusesItsConnectionAcrossRequests() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 200, body: Array("ok".utf8))])
        let client = HTTPClient()

        for _ in 0..<3 {
            _ = try await client.execute(HTTPRequest(method: "GET", url: server.url))
        }

        #expect(server.acceptedConnections == 1)
        #expect(client.openedConnectionCount == 1)
        #expect(server.requests.count == 3)
    }

    @Test func sendsHeadDeleteAndPutWithoutBody() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 204)])
        let client = HTTPClient()

        for method in ["HEAD", "DELETE", "PUT"] {
            let response = try await client.execute(HTTPRequest(method: method, url: server.url))
            #expect(response.status == 204)
        }

        #expect(server.requests.map(\.method) == ["HEAD", "DELETE", "PUT"])
        #expect(server.requests.last?.headers["content-length"] == "0")
    }

    @Test func aRefusedConnectionIsConnectionFailed() async throws {
        let port = try LoopbackSocket.closedPort()

        let error = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))
        }

        #expect(error.code == .connectionFailed)
        #expect(error.isTransient)
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try LoopbackHTTPServer(replies: [.stall(seconds: 3)])
        let client = HTTPClient(configuration: .init(timeout: .milliseconds(300)))

        let error = try await #require(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(method: "GET", url: server.url))
        }

        #expect(error.code == .timedOut)
        #expect(error.isTransient)
    }

    @Test func aSilentServerTimesOutByTheInvocationsDeadlineBeforeTheClientsTimeout() async throws {
        let server = try LoopbackHTTPServer(replies: [.stall(seconds: 20)])
        let client = HTTPClient(configuration: .init(timeout: .seconds(60)))

        let error = try await #require(throws: HTTPClientError.self) {
            try await InvocationDeadline.$waitsEndBy.withValue(ContinuousClock.now + .milliseconds(500)) {
                try await client.execute(HTTPRequest(method: "GET", url: server.url))
            }
        }

        #expect(error.code == .timedOut)
        // libcurl's own account of the transfer ("timed out after 501 milliseconds"), not the
        // test's wall clock, which also counts waiting for a thread of a busy test process.
        let message = String(reflecting: error)
        let waited = message.firstMatch(of: /after (\d+) milliseconds/).flatMap { Int($0.1) }
        #expect(waited.map { (400..<2000).contains($0) } == true, "\(message)")
    }

    @Test func noRequestLeavesOnceTheDeadlineHasPassed() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 200)])

        let error = try await #require(throws: HTTPClientError.self) {
            try await InvocationDeadline.$waitsEndBy.withValue(ContinuousClock.now - .seconds(1)) {
                try await HTTPClient().execute(HTTPRequest(method: "GET", url: server.url))
            }
        }

        #expect(error.code == .timedOut)
        #expect(server.requests.isEmpty)
    }

    @Test func aTruncatedBodyIsTruncatedResponse() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten!!".utf8))
        ])

        let error = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(HTTPRequest(method: "GET", url: server.url))
        }

        #expect(error.code == .truncatedResponse)
    }

    @Test func aClosedConnectionWithoutAnswerIsConnectionLost() async throws {
        let server = try LoopbackHTTPServer(replies: [.close])

        let error = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(HTTPRequest(method: "GET", url: server.url))
        }

        #expect(error.code == .connectionLost)
    }

    @Test func aReplyThatIsNotHTTPIsInvalidResponse() async throws {
        let server = try LoopbackHTTPServer(replies: [.raw(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8))])

        let error = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(HTTPRequest(method: "GET", url: server.url))
        }

        #expect(error.code == .invalidResponse)
    }

    @Test func streamsARequestBodyFromASource() async throws {
        let length: Int64 = 3 << 20
        let server = try LoopbackHTTPServer { request in
            let digest = SHA256.hash(data: request.body).map { String(format: "%02x", $0) }.joined()
            return .response(status: 200, body: Array(digest.utf8))
        }
        let source = PatternBodySource(length: length)

        let response = try await HTTPClient().execute(
            HTTPRequest(method: "PUT", url: server.url, body: .stream(source, length: length)))

        let expected = PatternBodySource.sha256(length: length).map { String(format: "%02x", $0) }.joined()
        #expect(String(decoding: response.body, as: UTF8.self) == expected)
        #expect(server.requests.first?.headers["content-length"] == String(length))
        #expect(source.largestChunk <= 1 << 20)
    }

    @Test func streamsAResponseBodyToASink() async throws {
        let body = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let server = try LoopbackHTTPServer(replies: [.response(status: 200, body: body)])
        let sink = DigestingSink()

        let response = try await HTTPClient().execute(
            HTTPRequest(method: "GET", url: server.url), streamingBodyTo: sink)

        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(sink.byteCount == Int64(body.count))
        #expect(sink.digest == SHA256.hash(data: body))
        #expect(sink.largestChunk <= 1 << 20)
    }

    @Test func keepsAnErrorBodyOutOfTheSink() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 404, body: Array("<Error/>".utf8))])
        let sink = CollectingSink()

        let response = try await HTTPClient().execute(
            HTTPRequest(method: "GET", url: server.url), streamingBodyTo: sink)

        #expect(response.status == 404)
        #expect(response.body == Array("<Error/>".utf8))
        #expect(sink.bytes.isEmpty)
    }

    @Test func aFailingBodySourceIsRequestBodyFailed() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 200)])

        let error = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(
                HTTPRequest(method: "PUT", url: server.url, body: .stream(FailingBodySource(), length: 10)))
        }

        #expect(error.code == .requestBodyFailed)
        #expect(error.underlying is FailingBodySource.Failure)
    }

    @Test func refusesABufferedBodyOverTheLimit() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 200, body: [UInt8](repeating: 1, count: 5000))])
        let client = HTTPClient(configuration: .init(maximumBufferedBodySize: 1000))

        let error = try await #require(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(method: "GET", url: server.url))
        }

        #expect(error.code == .responseTooLarge)
    }

    @Test func cancellationStopsAWaitingRequest() async throws {
        let server = try LoopbackHTTPServer(replies: [.stall(seconds: 5)])
        let client = HTTPClient()

        let task = Task { try await client.execute(HTTPRequest(method: "GET", url: server.url)) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result

        #expect(throws: HTTPClientError.self) { try result.get() }
        // Without cancellation the stalled server would answer after 5 s and the request succeed.
        if case .failure(let error as HTTPClientError) = result { #expect(error.code == .cancelled) }
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://127.0.0.1/", "http://127.0.0.1/a b", "gopher://x"])
    func refusesURLsThatAreNotHTTP(url: String) async throws {
        let error = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(HTTPRequest(method: "GET", url: url))
        }

        #expect(error.code == .invalidRequest)
    }

    @Test func refusesHeaderInjection() async throws {
        let error = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(
                HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: ["X-A": "1\r\nX-Injected: 2"]))
        }

        #expect(error.code == .invalidRequest)
    }

    @Test func verifiesTheTLSPeerAndTrustsAConfiguredAuthority() async throws {
        let server = try SelfSignedHTTPSServer()
        defer { server.stop() }

        let refused = try await #require(throws: HTTPClientError.self) {
            try await HTTPClient().execute(HTTPRequest(method: "GET", url: server.url))
        }
        let trusting = HTTPClient(configuration: .init(caBundlePath: server.certificatePath))
        let response = try await trusting.execute(HTTPRequest(method: "GET", url: server.url))

        #expect(refused.code == .tlsFailed)
        #expect(response.status == 200)
        #expect(response.body == Array("tls ok".utf8))
    }
}
