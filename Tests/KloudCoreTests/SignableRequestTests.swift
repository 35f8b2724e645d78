import Foundation
import KloudCore
import Testing

/// Requests built from URLs, their wire form, and credentials and errors kept out of text.
@Suite("Signable request")
struct SignableRequestTests {
    private let credentials = SigV4Fixtures.credentials
    private let date = SigV4Fixtures.date

    private func request(
        method: String = "GET",
        path: String = "/",
        query: [SignableRequest.QueryItem] = [],
        headers: [SignableRequest.Header] = []
    ) -> SignableRequest {
        SigV4Fixtures.request(method: method, path: path, query: query, headers: headers)
    }

    @Test func encodesRawPathsForTheWire() {
        #expect(SignableRequest.encodedPath("/my bucket/photo 1+ü.jpg") == "/my%20bucket/photo%201%2B%C3%BC.jpg")
        #expect(SignableRequest.encodedPath("/-._~/a") == "/-._~/a")
    }

    @Test func requestTargetEncodesQueryAsSigned() {
        let request = request(path: "/a%20b", query: [.init(name: "key", value: "a b/c"), .init(name: "flag")])

        #expect(request.requestTarget == "/a%20b?key=a%20b%2Fc&flag=")
    }

    @Test func buildsARequestFromAURL() throws {
        let request = try SignableRequest(
            method: "GET",
            url: "https://user@STS.Amazonaws.com:443/a%20b?Action=GetCallerIdentity&x=a+b%2B&&flag#frag"
        )

        #expect(request.headers == [.init(name: "Host", value: "sts.amazonaws.com")])
        #expect(request.path == "/a%20b")
        #expect(
            request.queryItems == [
                .init(name: "Action", value: "GetCallerIdentity"), .init(name: "x", value: "a+b+"), .init(name: "flag"),
            ])
        #expect(try SignableRequest(method: "GET", url: "http://localhost:4566").path == "")
        #expect(
            try SignableRequest(method: "GET", url: "http://localhost:4566").headerValues(named: "host") == [
                "localhost:4566"
            ])
    }

    // MARK: - Secrets stay out of text

    @Test func credentialsNeverPrintTheirSecrets() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t", sessionToken: "t0ken")

        for text in [
            String(describing: credentials), String(reflecting: credentials), "\(credentials)", dumped(credentials),
        ] {
            #expect(text.contains("AKID"))
            #expect(!text.contains("s3cr3t"))
            #expect(!text.contains("t0ken"))
        }
    }

    @Test func errorsNeverRepeatRequestValues() {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let bad = request(headers: [.init(name: "X-Secret", value: "hunter2\nInjected: yes")])

        let error = #expect(throws: SigV4Error.self) { try signer.sign(bad, using: credentials, at: date) }

        #expect(error?.code == .invalidHeaderValue)
        #expect(error.map { !String(describing: $0).contains("hunter2") } == true)
        #expect(error.map { !String(reflecting: $0).contains("hunter2") } == true)
    }
    private func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
