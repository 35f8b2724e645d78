import KloudTestSupport
import Testing

@testable import KloudCore

@Suite("Bad answers become typed errors")
struct BadResponseTests {
    @Test func anHTMLErrorPageIsUnrecognized() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .response(
                status: 502, headers: [("Content-Type", "text/html")],
                body: Array("<html><h1>Bad Gateway</h1></html>".utf8))
        ])
        let sts = STSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }

        #expect(error.code == .unrecognizedErrorResponse)
        #expect(error.statusCode == 502)
    }

    @Test func aMalformedXMLErrorBodyIsMalformed() async throws {
        let server = try LoopbackHTTPServer(replies: [.xml(400, "<ErrorResponse><Error><Code>Thrott")])
        let sts = STSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }

        #expect(error.code == .malformedErrorResponse)
        #expect(error.underlying is XMLSyntaxError)
    }

    @Test func aMalformedJSONErrorBodyIsMalformed() async throws {
        let server = try LoopbackHTTPServer(replies: [.json(400, #"{"__type":"Validat"#)])
        let kms = KMSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await kms.encrypt(keyID: "k", plaintext: [1]) }

        #expect(error.code == .malformedErrorResponse)
    }

    @Test func aTruncatedResponseIsATransportError() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<GetCallerIdentityResponse>".utf8))
        ])
        let sts = STSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }

        #expect(error.code == .transportFailed)
        #expect(error.transportError?.code == .truncatedResponse)
        #expect(error.isTransient)
    }

    @Test func aTruncatedErrorBodyIsATransportError() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .raw(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 300\r\n\r\n{\"__type\":\"Thr".utf8))
        ])
        let kms = KMSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await kms.encrypt(keyID: "k", plaintext: [1]) }

        #expect(error.transportError?.code == .truncatedResponse)
    }

    @Test func aSuccessWithBrokenXMLIsMalformed() async throws {
        let server = try LoopbackHTTPServer(replies: [.xml(200, "<GetCallerIdentityResponse><Oops>")])
        let sts = STSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }

        #expect(error.code == .malformedResponse)
    }

    @Test func aSuccessMissingFieldsIsMalformed() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult/></GetCallerIdentityResponse>")
        ])
        let sts = STSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }

        #expect(error.code == .malformedResponse)
    }

    @Test func aSuccessWithTheWrongRootIsMalformed() async throws {
        let server = try LoopbackHTTPServer(replies: [.xml(200, "<html><body>hi</body></html>")])
        let s3 = S3Client(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await s3.listObjectsV2(bucket: "bucket") }

        #expect(error.code == .malformedResponse)
    }

    @Test(arguments: [#"{"KeyId":"k"}"#, "not json", #"{"Plaintext":"!!!","CiphertextBlob":"AQ==","KeyId":"k"}"#, "{"])
    func aDataKeyResponseWithoutAKeyIsMalformed(body: String) async throws {
        let server = try LoopbackHTTPServer(replies: [.json(200, body)])
        let kms = KMSClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) {
            try await kms.generateDataKey(keyID: "k", encryptionContext: ["a": "b"])
        }

        #expect(error.code == .malformedResponse)
    }

    @Test func aTruncatedListingIsMalformedWithoutItsToken() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .xml(200, "<ListBucketResult><IsTruncated>true</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>")
        ])
        let s3 = S3Client(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await s3.listAllObjects(bucket: "bucket") }

        #expect(error.code == .malformedResponse)
    }
}
