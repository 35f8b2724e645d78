import Foundation
import Testing

@testable import KloudCore

/// S3 presigned URLs: the URL botocore presigns for the same request and moment. (moto's
/// signature-checking mode reads only the Authorization header, so it cannot judge them.)
@Suite("S3 presigned URLs")
struct S3PresignTests {
    @Test(arguments: ["accounts/0b8c1e3a-aaaa-4bbb-8ccc-1234567890ab/exports/1.json", "a key/with ünïcode+plus"])
    func matchesBotocoresPresignedURL(key: String) async throws {
        let moment = Date(timeIntervalSince1970: 1_767_225_600)
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: "session/token+=")
        let configuration = AWSConfiguration(
            region: "eu-west-1", credentials: credentials, endpointURL: try AWSEndpoint(url: "http://127.0.0.1:9000"),
            now: { moment })
        let s3 = S3Client(configuration: configuration, httpClient: HTTPClient())

        let url = try await s3.presignedGetObjectURL(bucket: "kloudhub-exports", key: key, expiresIn: 900)

        let botocore = try #require(
            try await BotocoreSigner.sign([
                BotocoreSigner.Input(
                    id: 1, mode: "query", service: "s3", region: "eu-west-1", accessKey: credentials.accessKeyID,
                    secretKey: credentials.secretAccessKey, token: credentials.sessionToken,
                    epoch: Int(moment.timeIntervalSince1970), method: "GET", host: "127.0.0.1:9000",
                    rawPath: "/kloudhub-exports/" + key, params: [], headers: [], bodyBase64: "",
                    unsignedPayload: true, expires: 900)
            ]).first)
        #expect(url.hasPrefix("http://127.0.0.1:9000" + botocore.path + "?"))
        #expect(url.hasSuffix("&X-Amz-Signature=" + botocore.signature))
        #expect(url.contains("X-Amz-Expires=900"))
    }
}
