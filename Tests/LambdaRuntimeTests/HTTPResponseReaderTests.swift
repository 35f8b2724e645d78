import Testing

@testable import LambdaRuntime

@Suite("HTTP/1.1 response reader")
struct HTTPResponseReaderTests {
    private func read(_ chunks: [String]) throws -> [HTTPConnection.Response] {
        var reader = HTTPResponseReader()
        var responses: [HTTPConnection.Response] = []
        for chunk in chunks {
            reader.append(ArraySlice(chunk.utf8))
            while case .response(let response) = try reader.nextResponse() { responses.append(response) }
        }
        return responses
    }

    @Test func readsAContentLengthBodySplitAcrossReads() throws {
        let responses = try read([
            "HTTP/1.1 200 OK\r\nContent-Le", "ngth: 5\r\nLambda-Runtime-Aws-Request-Id: r1\r\n\r\nhe", "llo",
        ])
        try #require(responses.count == 1)
        #expect(responses[0].status == 200)
        #expect(responses[0].headers["lambda-runtime-aws-request-id"] == "r1")
        #expect(String(decoding: responses[0].body, as: UTF8.self) == "hello")
    }

    @Test func readsAChunkedBody() throws {
        let responses = try read([
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n"
        ])
        #expect(responses.map { String(decoding: $0.body, as: UTF8.self) } == ["wikipedia"])
    }

    @Test func keepsBytesOfTheNextResponse() throws {
        let responses = try read(["HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 No Content\r\n\r\n"]
        )
        #expect(responses.map(\.status) == [202, 204])
    }

    @Test func joinsRepeatedHeaders() throws {
        let responses = try read(["HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n"])
        #expect(responses.first?.headers["x-a"] == "1, 2")
    }

    @Test(arguments: [
        "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ])
    func refusesMalformedResponses(text: String) {
        #expect(throws: TransportError.self) { try read([text]) }
    }
}
