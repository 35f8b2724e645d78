import Foundation
import Testing

@testable import KloudLocal

/// The API Gateway front, end to end over HTTP, as curl would call it.
@Suite("API Gateway front")
struct GatewayTests {
    private func event(_ exchange: HTTPExchange) throws -> [String: Any] {
        #expect(exchange.status == 200, "body: \(exchange.text)")
        return try exchange.json()
    }

    @Test func routesByPathParameterAndPassesTheQuery() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let before = Date().timeIntervalSince1970
        let sent = try await event(HTTPExchange.send("GET", local.endpoints.gateway("/items/42?b=x%20y&a=1&a=2")))
        let after = Date().timeIntervalSince1970
        #expect(sent["routeKey"] as? String == "GET /items/{id}")
        #expect(sent["version"] as? String == "2.0")
        #expect(sent["rawPath"] as? String == "/items/42")
        #expect(sent["rawQueryString"] as? String == "b=x%20y&a=1&a=2")
        #expect(sent["pathParameters"] as? [String: String] == ["id": "42"])
        #expect(sent["queryStringParameters"] as? [String: String] == ["a": "1,2", "b": "x y"])
        let context = try #require(sent["requestContext"] as? [String: Any])
        let http = try #require(context["http"] as? [String: Any])
        #expect(http["method"] as? String == "GET")
        #expect(http["sourceIp"] as? String == "127.0.0.1")
        #expect(context["stage"] as? String == "$default")
        let epoch = try #require(context["timeEpoch"] as? Int)
        #expect((before - 1)...(after + 1) ~= Double(epoch) / 1000, "timeEpoch is the request's time in milliseconds")
        let time = try #require(context["time"] as? String)
        #expect(time == GatewayEvent.requestTime(Date(timeIntervalSince1970: Double(epoch / 1000))))
    }

    @Test(arguments: [
        (1_796_266_245.9, "03/Dec/2026:02:50:45 +0000"), (1_772_679_845, "05/Mar/2026:03:04:05 +0000"),
        (0, "01/Jan/1970:00:00:00 +0000"),
    ])
    func requestTimeIsWrittenAsAPIGatewayWritesIt(seconds: Double, expected: String) {
        #expect(GatewayEvent.requestTime(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func functionOutputMapsToTheResponseAPIGatewaySends() throws {
        let structured = GatewayResponse(
            functionOutput: Data(
                (#"{"statusCode":201,"headers":{"X-Count":3,"X-Flag":true,"Content-Type":"text/x"},"#
                    + #""cookies":["a=1"],"body":"{\"k\":\"v \\\"q\\\"\"}","isBase64Encoded":false}"#).utf8))
        #expect(structured.status == 201)
        #expect(
            structured.headers.map { "\($0.name)=\($0.value)" } == [
                "content-type=text/x", "x-count=3", "x-flag=true", "set-cookie=a=1",
            ])
        #expect(String(decoding: structured.body, as: UTF8.self) == #"{"k":"v \"q\""}"#)

        let binary = GatewayResponse(
            functionOutput: Data(#"{"statusCode":200,"body":"AAEC","isBase64Encoded":true}"#.utf8))
        #expect(binary.body == Data([0, 1, 2]))
        #expect(binary.headers.map(\.name) == ["content-type"])

        for plain in [#"[1,2]"#, #"{"message":"no status"}"#, "42"] {
            let response = GatewayResponse(functionOutput: Data(plain.utf8))
            #expect(response.status == 200 && response.body == Data(plain.utf8))
        }
    }

    @Test(arguments: [
        "not json", #"{"statusCode":"200"}"#, #"{"statusCode":99}"#, #"{"statusCode":200.5}"#,
        #"{"statusCode":200,"headers":[]}"#, #"{"statusCode":200,"cookies":["a",1]}"#, #"{"statusCode":200,"body":7}"#,
        #"{"statusCode":200,"body":"%%","isBase64Encoded":true}"#,
    ])
    func malformedFunctionOutputIs502(output: String) {
        #expect(GatewayResponse(functionOutput: Data(output.utf8)).status == 502)
    }

    @Test func peakMemoryIsReadFromTheStatusText() throws {
        let status = Data("Name:\tmcp\nVmPeak:\t  123456 kB\nVmHWM:\t   20480 kB\nVmRSS:\t 1 kB\n".utf8)
        #expect(FunctionInstance.kilobytes(of: "VmHWM:", in: status) == 20480)
        #expect(FunctionInstance.kilobytes(of: "VmSwap:", in: status) == nil)
        #expect(FunctionInstance.kilobytes(of: "VmHWM:", in: Data("VmHWM:\t kB\n".utf8)) == nil)
        #expect(FunctionInstance.kilobytes(of: "VmRSS:", in: Data("VmHWM:\t 2 kB\nVmRSS:\t7".utf8)) == 7)
        let own = try #require(FunctionInstance.statusKilobytes(of: "VmHWM:", pid: getpid()))
        #expect(own > 1024, "this test process uses more than a megabyte")
        #expect(FunctionInstance.statusKilobytes(of: "VmHWM:", pid: -1) == nil)
    }

    @Test func reportDurationsHaveTwoDecimalsAsPrintfWrites() {
        for value in [0, 0.004, 0.5, 1.5, 12.345678, 999.999, 30_000, 123_456.789] {
            #expect(FunctionPool.twoDecimals(value) == String(format: "%.2f", value), "\(value)")
        }
    }

    @Test func greedyVariableTakesTheRestOfThePath() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let sent = try await event(HTTPExchange.send("DELETE", local.endpoints.gateway("/files/a/b%20c/d.txt")))
        #expect(sent["routeKey"] as? String == "ANY /files/{proxy+}")
        #expect(sent["pathParameters"] as? [String: String] == ["proxy": "a/b c/d.txt"])
    }

    @Test func headersAreLowercaseWithCookiesApart() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let sent = try await event(
            HTTPExchange.send(
                "GET", local.endpoints.gateway("/probe/echo"),
                headers: ["X-Custom-Thing": "Value", "Cookie": "session=abc; theme=dark"]))
        let headers = try #require(sent["headers"] as? [String: String])
        #expect(headers["x-custom-thing"] == "Value")
        #expect(headers.keys.allSatisfy { $0 == $0.lowercased() })
        #expect(headers["cookie"] == nil)
        #expect(sent["cookies"] as? [String] == ["session=abc", "theme=dark"])
    }

    @Test func binaryRequestBodyArrivesBase64AndJSONAsText() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let bytes = Data([0, 1, 2, 0xFE, 0xFF, 0x80])
        let binary = try await event(
            HTTPExchange.send(
                "POST", local.endpoints.gateway("/probe/echo"), headers: ["Content-Type": "application/octet-stream"],
                body: bytes))
        #expect(binary["isBase64Encoded"] as? Bool == true)
        #expect((binary["body"] as? String).flatMap { Data(base64Encoded: $0) } == bytes)
        let json = try await event(
            HTTPExchange.send(
                "POST", local.endpoints.gateway("/probe/echo"), headers: ["Content-Type": "application/json"],
                body: Data(#"{"name":"kloud"}"#.utf8)))
        #expect(json["isBase64Encoded"] as? Bool == false)
        #expect(json["body"] as? String == #"{"name":"kloud"}"#)
    }

    @Test func structuredResponsesMapBack() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let binary = try await HTTPExchange.send("GET", local.endpoints.gateway("/probe/binary"))
        #expect(binary.status == 200)
        #expect(binary.body == Data([0, 1, 2, 254, 255]))
        #expect(binary.headers["content-type"] == "application/octet-stream")
        let cookies = try await HTTPExchange.send("GET", local.endpoints.gateway("/probe/cookies"))
        #expect(cookies.status == 201)
        #expect(cookies.text == "cookies set")
        let setCookie = cookies.headers["set-cookie"] ?? ""
        #expect(setCookie.contains("a=1; Path=/") && setCookie.contains("b=2; HttpOnly"))
        let raw = try await HTTPExchange.send("GET", local.endpoints.gateway("/probe/raw"))
        #expect(raw.status == 200)
        #expect(raw.headers["content-type"] == "application/json")
        #expect(try raw.json()["plain"] as? Bool == true)
    }

    @Test func unknownRouteOrMethodIs404() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let unknown = try await HTTPExchange.send("GET", local.endpoints.gateway("/nothing/here"))
        #expect(unknown.status == 404)
        #expect(try unknown.json()["message"] as? String == "Not Found")
        #expect(try await HTTPExchange.send("POST", local.endpoints.gateway("/items/1")).status == 404)
    }

    @Test(arguments: ["/probe/throw", "/probe/bad-status", "/raw/not-json", "/probe/sleep?milliseconds=8000"])
    func brokenFunctionGives502(path: String) async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send("GET", local.endpoints.gateway(path))
        #expect(answer.status == 502)
        #expect(try answer.json()["message"] as? String == "Internal Server Error")
    }

    @Test func integrationTimeoutGives503() async throws {
        let local = try await TestEmulator.start(integrationTimeout: .milliseconds(500))
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send("GET", local.endpoints.gateway("/probe/sleep?milliseconds=1500"))
        #expect(answer.status == 503, "the function would answer 200 after 1.5 s; the gateway gave up first")
        #expect(try answer.json()["message"] as? String == "Service Unavailable")
    }

    @Test func crashedFunctionRecovers() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        #expect(try await HTTPExchange.send("GET", local.endpoints.gateway("/probe/crash")).status == 502)
        #expect(try await HTTPExchange.send("GET", local.endpoints.gateway("/probe/echo")).status == 200)
    }

    @Test func concurrentRequestsAreServedBySeveralInstances() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let url = local.endpoints.gateway("/probe/sleep?milliseconds=400")
        let pids = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<6 { group.addTask { try await HTTPExchange.send("GET", url).json()["pid"] as? Int } }
            return try await group.reduce(into: Set<Int>()) { if let pid = $1 { $0.insert(pid) } }
        }
        #expect(pids.count >= 2 && pids.count <= 3)
    }

    @Test func oversizedRequestBodyIs413() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.gateway("/probe/echo"), headers: ["Content-Type": "application/json"],
            body: Data(repeating: 0x20, count: 10 * 1024 * 1024 + 1))
        #expect(answer.status == 413)
    }

    /// A body under API Gateway's 10 MB can still make an event over Lambda's 6 MB once it is
    /// escaped into a JSON string: 4 MB of quotes become 8 MB of event.
    @Test func aBodyWhoseEventExceedsLambdasLimitIs413AndNothingRuns() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let body = Data("\"".utf8) + Data(repeating: UInt8(ascii: "\""), count: 4 * 1024 * 1024) + Data("\"".utf8)

        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.gateway("/probe/echo"), headers: ["Content-Type": "application/json"], body: body)

        #expect(answer.status == 413)
        #expect(try answer.json()["message"] as? String == "Request Entity Too Large")
        #expect(local.lines(containing: "START RequestId").isEmpty, "the function never ran")
    }
}
