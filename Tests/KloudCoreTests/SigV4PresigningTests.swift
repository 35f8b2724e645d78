import Foundation
import KloudCore
import Testing

/// Presigned URLs and session tokens.
@Suite("SigV4 presigning")
struct SigV4PresigningTests {
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

    @Test func presignsS3WithUnsignedPayloadAndAFullURL() throws {
        var options = SigV4Signer.Options.s3
        options.payloadHash = .unsignedPayload
        let signer = SigV4Signer(service: "s3", region: "us-east-1", options: options)
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "tok/en+=")

        let signed = try signer.presign(request(path: "/b/my%20key"), using: credentials, at: date, expiresIn: 900)

        #expect(SigV4Fixtures.canonicalLines(signed).last == "UNSIGNED-PAYLOAD")
        #expect(signed.request.headerValues(named: "x-amz-content-sha256").isEmpty)
        let url = try #require(signed.request.url())
        #expect(url.hasPrefix("https://example.amazonaws.com/b/my%20key?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(url.contains("&X-Amz-Security-Token=tok%2Fen%2B%3D&"))
        #expect(url.hasSuffix("&X-Amz-Signature=\(signed.signature)"))
    }

    @Test func presigningReplacesStaleSigningParameters() throws {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let stale: [SignableRequest.QueryItem] = [
            .init(name: "X-Amz-Signature", value: "old"), .init(name: "X-Amz-Date", value: "old"),
            .init(name: "keep", value: "1"),
        ]

        let signed = try signer.presign(request(query: stale), using: credentials, at: date, expiresIn: 60)

        let names = signed.request.queryItems.map(\.name)
        #expect(names.filter { $0 == "X-Amz-Signature" }.count == 1)
        #expect(names.filter { $0 == "X-Amz-Date" }.count == 1)
        #expect(names.first == "keep")
    }

    @Test func omittedSessionTokenIsAddedAfterSigning() throws {
        var options = SigV4Signer.Options.standard
        options.isSessionTokenSigned = false
        let signer = SigV4Signer(service: "iotdevicegateway", region: "us-east-1", options: options)
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token")

        let headerSigned = try signer.sign(request(), using: credentials, at: date)
        let presigned = try signer.presign(request(), using: credentials, at: date, expiresIn: 60)

        #expect(!headerSigned.canonicalRequest.contains("token"))
        #expect(headerSigned.request.headerValues(named: "x-amz-security-token") == ["token"])
        #expect(!presigned.canonicalRequest.contains("Security-Token"))
        #expect(presigned.request.queryItems.contains(.init(name: "X-Amz-Security-Token", value: "token")))
    }
}
