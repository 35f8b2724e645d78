import Foundation
import KloudCore
import Testing

/// The signer's behaviours one at a time, beyond what AWS's suite covers.
@Suite("SigV4 signer")
struct SigV4SignerTests {
    private let credentials = SigV4Fixtures.credentials
    private let date = SigV4Fixtures.date

    private func request(
        method: String = "GET",
        path: String = "/",
        query: [SignableRequest.QueryItem] = [],
        headers: [SignableRequest.Header] = [],
        body: [UInt8] = []
    ) -> SignableRequest {
        SigV4Fixtures.request(method: method, path: path, query: query, headers: headers, body: body)
    }

    private func canonicalLines(_ signed: SigV4Signer.SignedRequest) -> [Substring] {
        SigV4Fixtures.canonicalLines(signed)
    }

    // MARK: - Paths

    @Test func choosesS3OptionsForS3() {
        #expect(SigV4Signer(service: "s3", region: "us-east-1").options == .s3)
        #expect(SigV4Signer(service: "sts", region: "us-east-1").options == .standard)
    }

    @Test func signsS3PathsExactlyAsSent() throws {
        let signer = SigV4Signer(service: "s3", region: "us-east-1")

        let signed = try signer.sign(request(path: "/bucket/a%20b/../c//d%2Fe"), using: credentials, at: date)

        #expect(canonicalLines(signed)[1] == "/bucket/a%20b/../c//d%2Fe")
    }

    @Test func encodesPathsTwiceForOtherServices() throws {
        let signer = SigV4Signer(service: "execute-api", region: "us-east-1")

        let signed = try signer.sign(request(path: "/stage/a%20b/$default"), using: credentials, at: date)

        #expect(canonicalLines(signed)[1] == "/stage/a%2520b/%24default")
    }

    @Test(arguments: [
        ("/a/b/..", "/a"), ("/a/./b/", "/a/b/"), ("/../a", "/a"), ("/a/b/../../..", "/"), ("//a//b//", "/a/b/"),
    ])
    func normalizesPaths(path: String, expected: String) throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")

        let signed = try signer.sign(request(path: path), using: credentials, at: date)

        #expect(canonicalLines(signed)[1] == Substring(expected))
    }

    // MARK: - Query

    @Test func sortsQueryByEncodedNameThenValueKeepingRepeatsAndEmpties() throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let query: [SignableRequest.QueryItem] = [
            .init(name: "b", value: "2"), .init(name: "a", value: "z"), .init(name: "a", value: "y"),
            .init(name: "a"), .init(name: "", value: "x"), .init(name: "a b", value: "1+1=2"),
            .init(name: "ሴ", value: "~"),
        ]

        let signed = try signer.sign(request(query: query), using: credentials, at: date)

        #expect(canonicalLines(signed)[2] == "=x&%E1%88%B4=~&a=&a=y&a=z&a%20b=1%2B1%3D2&b=2")
    }

    // MARK: - Headers

    @Test func trimsHeaderValuesAndCollapsesWhitespaceAndFolds() throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let headers: [SignableRequest.Header] = [.init(name: "My-Header", value: " \t a \t  b\r\n   c\n\td  ")]

        let signed = try signer.sign(request(headers: headers), using: credentials, at: date)

        #expect(canonicalLines(signed).contains("my-header:a b c d"))
    }

    @Test func joinsRepeatedHeadersInOrderAcrossCases() throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let headers: [SignableRequest.Header] = [
            .init(name: "X-Dup", value: "3"), .init(name: "x-dup", value: " 1 "), .init(name: "X-DUP", value: "2"),
        ]

        let signed = try signer.sign(request(headers: headers), using: credentials, at: date)

        #expect(canonicalLines(signed).contains("x-dup:3,1,2"))
        #expect(canonicalLines(signed).contains("host;x-amz-date;x-dup"))
    }

    @Test func leavesHopByHopAndUserAgentHeadersUnsigned() throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let headers: [SignableRequest.Header] = [
            .init(name: "User-Agent", value: "kloudhub"), .init(name: "Connection", value: "keep-alive"),
            .init(name: "X-Amzn-Trace-Id", value: "Root=1"),
        ]

        let signed = try signer.sign(request(headers: headers), using: credentials, at: date)

        #expect(canonicalLines(signed).contains("host;x-amz-date"))
        #expect(signed.request.headerValues(named: "user-agent") == ["kloudhub"])
    }

    @Test func replacesStaleSigningHeaders() throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let stale: [SignableRequest.Header] = [
            .init(name: "x-amz-date", value: "19990101T000000Z"), .init(name: "authorization", value: "old"),
        ]

        let signed = try signer.sign(request(headers: stale), using: credentials, at: date)

        #expect(signed.request.headerValues(named: "x-amz-date") == ["20150830T123600Z"])
        #expect(signed.request.headerValues(named: "authorization").count == 1)
    }

    // MARK: - Payload

    @Test func s3SignsUnsignedPayloadInTheContentHeader() throws {
        var options = SigV4Signer.Options.s3
        options.payloadHash = .unsignedPayload
        let signer = SigV4Signer(service: "s3", region: "us-east-1", options: options)

        let signed = try signer.sign(
            request(method: "PUT", path: "/b/k", body: [1, 2, 3]), using: credentials, at: date)

        #expect(signed.request.headerValues(named: "x-amz-content-sha256") == ["UNSIGNED-PAYLOAD"])
        #expect(canonicalLines(signed).last == "UNSIGNED-PAYLOAD")
        #expect(canonicalLines(signed).contains("x-amz-content-sha256:UNSIGNED-PAYLOAD"))
    }

    @Test func s3HashesTheBodyByDefault() throws {
        let signer = SigV4Signer(service: "s3", region: "us-east-1")

        let signed = try signer.sign(
            request(method: "PUT", path: "/b/k", body: Array("hello".utf8)), using: credentials, at: date)

        let hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        #expect(signed.request.headerValues(named: "x-amz-content-sha256") == [hash])
        #expect(canonicalLines(signed).last == Substring(hash))
    }

    @Test func contentHeaderOnTheRequestNamesThePayloadHash() throws {
        let signer = SigV4Signer(service: "glacier", region: "us-east-1")
        let hash = String(repeating: "ab", count: 32)

        let signed = try signer.sign(
            request(method: "PUT", headers: [.init(name: "X-Amz-Content-SHA256", value: hash)], body: [9]),
            using: credentials,
            at: date
        )

        #expect(canonicalLines(signed).last == Substring(hash))
    }

    @Test func usesAPrecomputedPayloadHash() throws {
        var options = SigV4Signer.Options.s3
        options.payloadHash = .precomputed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
        let signer = SigV4Signer(service: "s3", region: "us-east-1", options: options)

        let signed = try signer.sign(request(method: "PUT", path: "/b/k"), using: credentials, at: date)

        #expect(canonicalLines(signed).last == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    }

    // MARK: - Dates and keys

    @Test(arguments: [
        (0.0, "19700101T000000Z"), (951_868_799.999, "20000229T235959Z"), (1_709_251_199.5, "20240229T235959Z"),
        (-1.0, "19691231T235959Z"), (253_402_300_799.0, "99991231T235959Z"),
    ])
    func formatsTheSigningDateInUTC(seconds: Double, expected: String) throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")

        let signed = try signer.sign(request(), using: credentials, at: Date(timeIntervalSince1970: seconds))

        #expect(signed.request.headerValues(named: "x-amz-date") == [expected])
        #expect(signed.stringToSign.contains("\n\(expected.prefix(8))/us-east-1/service/aws4_request\n"))
    }

    @Test func cachedSigningKeyFollowsSecretAndDay() throws {
        let shared = SigV4Signer(service: "service", region: "us-east-1")
        let other = AWSCredentials(accessKeyID: "AKID2", secretAccessKey: "another-secret")
        let nextDay = date.addingTimeInterval(86_400)

        for (credentials, date) in [
            (credentials, date), (other, date), (other, nextDay), (credentials, date),
        ] {
            let cached = try shared.sign(request(), using: credentials, at: date)
            let fresh = try SigV4Signer(service: "service", region: "us-east-1").sign(
                request(), using: credentials, at: date)
            #expect(cached.signature == fresh.signature)
        }
    }

    @Test func signsConcurrentlyWithOneSharedSigner() async throws {
        let shared = SigV4Signer(service: "service", region: "us-east-1")
        let keys = [credentials, AWSCredentials(accessKeyID: "AKID2", secretAccessKey: "another-secret")]
        let request = request(path: "/concurrent")
        let expected = try keys.map {
            try SigV4Signer(service: "service", region: "us-east-1").sign(request, using: $0, at: date).signature
        }

        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<200 {
                        let index = (task + round) % keys.count
                        let signature = try? shared.sign(request, using: keys[index], at: date).signature
                        if signature != expected[index] { mismatches += 1 }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }

        #expect(mismatches == 0)
    }
}
