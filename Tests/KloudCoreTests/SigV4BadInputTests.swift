import Foundation
import KloudCore
import Testing

/// Bad input gets a `SigV4Error` with a stable code, never a crash or a silently wrong
/// signature.
@Suite("SigV4 bad input")
struct SigV4BadInputTests {
    /// One bad input and the code it must produce.
    struct BadInput: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let code: SigV4Error.Code
        let attempt: @Sendable () throws -> Void
    }

    static let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)

    static func signing(
        _ request: SignableRequest,
        service: String = "service",
        region: String = "us-east-1",
        options: SigV4Signer.Options = .standard,
        credentials: AWSCredentials = credentials,
        at date: Date = date
    ) -> @Sendable () throws -> Void {
        {
            _ = try SigV4Signer(service: service, region: region, options: options).sign(
                request, using: credentials, at: date)
        }
    }

    static func request(
        method: String = "GET",
        path: String = "/",
        headers: [SignableRequest.Header] = [.init(name: "Host", value: "example.amazonaws.com")]
    ) -> SignableRequest {
        SignableRequest(method: method, path: path, headers: headers)
    }

    static let cases: [BadInput] = [
        BadInput(testDescription: "URL without scheme", code: .invalidURL) {
            _ = try SignableRequest(method: "GET", url: "example.com/path")
        },
        BadInput(testDescription: "URL without host", code: .invalidURL) {
            _ = try SignableRequest(method: "GET", url: "https:///path")
        },
        BadInput(testDescription: "broken percent escape in query", code: .invalidQuery) {
            _ = try SignableRequest(method: "GET", url: "https://example.com/?a=%ZZ")
        },
        BadInput(testDescription: "truncated percent escape in query", code: .invalidQuery) {
            _ = try SignableRequest(method: "GET", url: "https://example.com/?a=%4")
        },
        BadInput(testDescription: "query that is not UTF-8", code: .invalidQuery) {
            _ = try SignableRequest(method: "GET", url: "https://example.com/?name=%FF%FE")
        },
        BadInput(
            testDescription: "method with a space", code: .invalidMethod, attempt: signing(request(method: "GE T"))),
        BadInput(testDescription: "empty method", code: .invalidMethod, attempt: signing(request(method: ""))),
        BadInput(testDescription: "relative path", code: .invalidPath, attempt: signing(request(path: "a/b"))),
        BadInput(
            testDescription: "broken percent escape in path", code: .invalidPath,
            attempt: signing(request(path: "/a%G1"))),
        BadInput(
            testDescription: "line break in path", code: .invalidPath, attempt: signing(request(path: "/a\r\nX: y"))),
        BadInput(testDescription: "query inside path", code: .invalidPath, attempt: signing(request(path: "/a?b=c"))),
        BadInput(
            testDescription: "raw S3 key",
            code: .invalidPath,
            attempt: signing(request(path: "/bucket/my photo.jpg"), service: "s3", options: .s3)
        ),
        BadInput(
            testDescription: "non-ASCII S3 key",
            code: .invalidPath,
            attempt: signing(request(path: "/bucket/ü"), service: "s3", options: .s3)
        ),
        BadInput(
            testDescription: "header name with a space",
            code: .invalidHeaderName,
            attempt: signing(request(headers: [.init(name: "Host", value: "h"), .init(name: "Bad Name", value: "v")]))
        ),
        BadInput(
            testDescription: "empty header name",
            code: .invalidHeaderName,
            attempt: signing(request(headers: [.init(name: "Host", value: "h"), .init(name: "", value: "v")]))
        ),
        BadInput(
            testDescription: "header value smuggling a header",
            code: .invalidHeaderValue,
            attempt: signing(
                request(headers: [.init(name: "Host", value: "h"), .init(name: "X-A", value: "v\nX-B: w")]))
        ),
        BadInput(
            testDescription: "header value with a bare carriage return",
            code: .invalidHeaderValue,
            attempt: signing(request(headers: [.init(name: "Host", value: "h"), .init(name: "X-A", value: "v\r w")]))
        ),
        BadInput(
            testDescription: "header value with NUL",
            code: .invalidHeaderValue,
            attempt: signing(request(headers: [.init(name: "Host", value: "h"), .init(name: "X-A", value: "v\0")]))
        ),
        BadInput(
            testDescription: "header value ending in a line break",
            code: .invalidHeaderValue,
            attempt: signing(request(headers: [.init(name: "Host", value: "h"), .init(name: "X-A", value: "v\n")]))
        ),
        BadInput(testDescription: "no Host header", code: .missingHost, attempt: signing(request(headers: []))),
        BadInput(
            testDescription: "empty secret",
            code: .invalidCredentials,
            attempt: signing(request(), credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: ""))
        ),
        BadInput(
            testDescription: "access key id with '/'",
            code: .invalidCredentials,
            attempt: signing(request(), credentials: AWSCredentials(accessKeyID: "AK/ID", secretAccessKey: "s"))
        ),
        BadInput(
            testDescription: "session token with a line break",
            code: .invalidCredentials,
            attempt: signing(
                request(),
                credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s", sessionToken: "t\nX-B: w")
            )
        ),
        BadInput(testDescription: "empty region", code: .invalidScope, attempt: signing(request(), region: "")),
        BadInput(
            testDescription: "service with '/'", code: .invalidScope, attempt: signing(request(), service: "s3/x")),
        BadInput(
            testDescription: "date after year 9999",
            code: .invalidDate,
            attempt: signing(request(), at: Date(timeIntervalSince1970: 253_402_300_800))
        ),
        BadInput(
            testDescription: "date that is not a number",
            code: .invalidDate,
            attempt: signing(request(), at: Date(timeIntervalSince1970: .nan))
        ),
        BadInput(
            testDescription: "empty precomputed payload hash",
            code: .invalidPayloadHash,
            attempt: signing(request(), options: .init(payloadHash: .precomputed("")))
        ),
        BadInput(testDescription: "presigned URL lasting zero seconds", code: .invalidExpiration) {
            _ = try SigV4Signer(service: "s3", region: "us-east-1").presign(
                request(), using: credentials, at: date, expiresIn: 0)
        },
        BadInput(testDescription: "presigned URL lasting over seven days", code: .invalidExpiration) {
            _ = try SigV4Signer(service: "s3", region: "us-east-1")
                .presign(request(), using: credentials, at: date, expiresIn: 604_801)
        },
    ]

    @Test(arguments: cases)
    func refusesBadInputWithAStableCode(_ input: BadInput) {
        let error = #expect(throws: SigV4Error.self) { try input.attempt() }

        #expect(error?.code == input.code)
        #expect(error.map { String(describing: $0).hasPrefix(input.code.rawValue + ": ") } == true)
    }
}
