import Foundation
import KloudTestSupport
import Testing

@testable import KloudCore

@Suite("HTTP client: per-request restrictions")
struct HTTPClientRestrictionTests {
    @Test func reachesAPinnedHostNameWithoutDNS() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 204)])
        var request = HTTPRequest(method: "GET", url: "http://pinned.invalid:\(server.port)/x")
        request.pinnedAddresses = [try #require(IPAddress("127.0.0.1"))]

        let response = try await HTTPClient().execute(request)

        #expect(response.status == 204)
        #expect(server.requests.first?.headers["host"] == "pinned.invalid:\(server.port)")
    }

    @Test func refusesToConnectToAnAddressThatIsNotPinned() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 204)])
        var request = HTTPRequest(method: "GET", url: "\(server.url)/x")
        request.pinnedAddresses = [try #require(IPAddress("127.0.0.2"))]

        let error = await #expect(throws: HTTPClientError.self) { try await HTTPClient().execute(request) }

        #expect(error?.code == .connectionFailed)
        #expect(server.acceptedConnections == 0)
    }

    @Test func aPinnedRequestDoesNotReuseAPooledConnection() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 204)])
        let client = HTTPClient()
        _ = try await client.execute(HTTPRequest(method: "GET", url: "\(server.url)/warm"))
        var request = HTTPRequest(method: "GET", url: "\(server.url)/pinned")
        request.pinnedAddresses = [try #require(IPAddress("127.0.0.1"))]

        _ = try await client.execute(request)
        _ = try await client.execute(HTTPRequest(method: "GET", url: "\(server.url)/after"))

        #expect(server.acceptedConnections == 2)
    }

    @Test func refusesAResponseBodyOverTheRequestsLimit() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 200, body: Array(repeating: 0x61, count: 101))])
        var request = HTTPRequest(method: "GET", url: "\(server.url)/x")
        request.maximumResponseBodySize = 100

        let error = await #expect(throws: HTTPClientError.self) { try await HTTPClient().execute(request) }

        #expect(error?.code == .responseTooLarge)
    }

    @Test func acceptsAResponseBodyAtTheRequestsLimit() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 200, body: Array(repeating: 0x61, count: 100))])
        var request = HTTPRequest(method: "GET", url: "\(server.url)/x")
        request.maximumResponseBodySize = 100

        let response = try await HTTPClient().execute(request)

        #expect(response.body.count == 100)
    }

    @Test func refusesPlainHTTPWhenHTTPSIsRequired() async throws {
        let server = try LoopbackHTTPServer(replies: [.response(status: 204)])
        var request = HTTPRequest(method: "GET", url: "\(server.url)/x")
        request.isHTTPSRequired = true

        let error = await #expect(throws: HTTPClientError.self) { try await HTTPClient().execute(request) }

        #expect(error?.code == .invalidRequest)
        #expect(server.acceptedConnections == 0)
    }
}
