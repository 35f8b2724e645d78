import Foundation
import Testing

@testable import LambdaRuntime

@Suite("Event types")
struct EventTests {
    static let httpEvent = """
        {"version":"2.0","routeKey":"POST /oauth/token","rawPath":"/oauth/token","rawQueryString":"a=1",
         "cookies":["__session=abc"],"headers":{"content-type":"application/x-www-form-urlencoded","x-forwarded-for":"1.2.3.4"},
         "queryStringParameters":{"a":"1"},"requestContext":{"accountId":"123456789012","apiId":"api","domainName":"api.kloudhub.io",
         "domainPrefix":"api","http":{"method":"POST","path":"/oauth/token","protocol":"HTTP/1.1","sourceIp":"1.2.3.4",
         "userAgent":"claude"},"requestId":"id-1","routeKey":"POST /oauth/token","stage":"$default",
         "time":"29/Nov/2026:03:00:00 +0000","timeEpoch":1795921200000},"body":"Z3JhbnRfdHlwZT1jb2Rl","isBase64Encoded":true}
        """

    @Test func decodesAnHTTPAPIRequest() throws {
        let request = try JSONDecoder().decode(APIGatewayV2Request.self, from: Data(Self.httpEvent.utf8))
        #expect(request.routeKey == "POST /oauth/token")
        #expect(request.cookies == ["__session=abc"])
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.requestContext.timeEpoch == 1_795_921_200_000)
        #expect(request.requestContext.http.sourceIp == "1.2.3.4")
        #expect(request.bodyBytes.map { String(decoding: $0, as: UTF8.self) } == "grant_type=code")
    }

    @Test func invalidBase64BodyHasNoBytes() throws {
        var request = try JSONDecoder().decode(APIGatewayV2Request.self, from: Data(Self.httpEvent.utf8))
        request.body = "%%%"
        #expect(request.bodyBytes == nil)
    }

    @Test func decodesBothScheduleForms() throws {
        let rule =
            #"{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","account":"1","time":"2026-11-29T03:00:00Z","region":"us-east-1","resources":[],"detail":{}}"#
        let scheduler =
            #"{"version":"0","id":"2","detail-type":"Scheduled Event","source":"aws.scheduler","account":"1","time":"2026-11-29T03:00:00Z","region":"us-east-1","resources":[],"detail":"{\"dryRun\":true}"}"#
        let fromRule = try JSONDecoder().decode(ScheduledEvent.self, from: Data(rule.utf8))
        let fromScheduler = try JSONDecoder().decode(ScheduledEvent.self, from: Data(scheduler.utf8))
        #expect(fromRule.detail == .object([:]))
        #expect(fromScheduler.detail == .object(["dryRun": .bool(true)]))
    }

    @Test func refusesAScheduleDetailStringThatIsNotJSON() {
        let event = #"{"id":"2","detail-type":"Scheduled Event","source":"aws.scheduler","time":"t","detail":"{nope"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScheduledEvent.self, from: Data(event.utf8)) }
    }

    @Test func tellsEventsApartByShape() throws {
        let decoder = JSONDecoder()
        let job = #"{"job":"scan.run","id":"j-1","attempt":2,"payload":{"region":"eu-west-1"}}"#
        guard case .http = try decoder.decode(LambdaEvent.self, from: Data(Self.httpEvent.utf8)) else {
            throw EventError.wrongKind
        }
        guard case .job(let decoded) = try decoder.decode(LambdaEvent.self, from: Data(job.utf8)) else {
            throw EventError.wrongKind
        }
        #expect(decoded.payload["region"]?.stringValue == "eu-west-1")
        #expect(decoded.attempt == 2)
        #expect(throws: DecodingError.self) { try decoder.decode(LambdaEvent.self, from: Data(#"{"hello":1}"#.utf8)) }
    }

    @Test func responseEncodesBinaryAsBase64() throws {
        let response = APIGatewayV2Response(statusCode: 200, binaryBody: [0, 255])
        #expect(response.body == "AP8=")
        #expect(response.isBase64Encoded == true)
    }

    enum EventError: Error { case wrongKind }
}

@Suite("Structured logs")
struct LoggingTests {
    @Test(arguments: [
        "Authorization", "cookie", "refresh_token", "clientSecret", "AWS_SECRET_ACCESS_KEY", "password", "apiKey",
    ])
    func secretKeysAreRedacted(key: String) {
        #expect(JSONLogHandler.isSecret(key: key))
    }

    @Test(arguments: ["requestId", "accountId", "function", "status", "region"])
    func ordinaryKeysAreKept(key: String) {
        #expect(!JSONLogHandler.isSecret(key: key))
    }

    @Test func writtenLinesRedactSecretsAtAnyDepth() throws {
        let line = JSONLogHandler.line(
            timestamp: "2026-11-29T03:00:00.000Z", level: .info, message: "request",
            metadata: [
                "authorization": "Bearer kh_live_secret", "requestId": "r-1",
                "headers": ["cookie": "__session=abc", "accept": "*/*"],
            ])
        #expect(!line.contains("kh_live_secret") && !line.contains("__session=abc"))
        #expect(line.contains(#""authorization":"[REDACTED]""#))
        #expect(line.contains(#""requestId":"r-1""#) && line.contains(#""accept":"*/*""#))
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["level"] as? String == "INFO")
    }

    @Test func quotesControlCharacters() {
        #expect(JSONLogHandler.quoted("a\"b\\c\nd\u{01}") == #""a\"b\\c\nd\u0001""#)
    }

    @Test func errorReportNamesItsCategory() {
        let report = ErrorReport(category: .runtime, errorType: "UnmarshalError", message: "bad")
        #expect(report.headers.contains { $0 == ("Lambda-Runtime-Function-Error-Type", "Runtime.UnmarshalError") })
        #expect(
            String(decoding: report.body, as: UTF8.self)
                == #"{"errorMessage":"bad","errorType":"Runtime.UnmarshalError","stackTrace":[]}"#)
    }
}
