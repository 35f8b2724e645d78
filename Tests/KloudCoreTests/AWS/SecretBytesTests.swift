import Foundation
import Testing

@testable import KloudCore

@Suite("Plaintext buffers")
struct SecretBytesTests {
    @Test func wipesTheArrayItTakes() {
        var source = Array("top secret".utf8)

        let secret = SecretBytes(wiping: &source)

        #expect(source.allSatisfy { $0 == 0 })
        #expect(source.count == 10)
        #expect(secret.withUnsafeBytes { Array($0) } == Array("top secret".utf8))
    }

    @Test func wipesData() {
        var data = Data("key material".utf8)

        SecretBytes.wipe(&data)

        #expect(data.allSatisfy { $0 == 0 })
    }

    @Test func printsNoBytes() {
        let secret = SecretBytes(copying: "hunter2")

        #expect(String(describing: secret) == "SecretBytes(<redacted>, 7 bytes)")
        #expect(!String(reflecting: secret).contains("hunter2"))
    }

    @Test func comparesInConstantTimeByValue() {
        #expect(SecretBytes(copying: "abc").isEqual(to: SecretBytes(copying: "abc")))
        #expect(!SecretBytes(copying: "abc").isEqual(to: SecretBytes(copying: "abd")))
        #expect(!SecretBytes(copying: "abc").isEqual(to: SecretBytes(copying: "ab")))
    }

    @Test(arguments: [
        ("", ""), ("Zg==", "f"), ("Zm8=", "fo"), ("Zm9v", "foo"), ("Zm9vYmFy", "foobar"), ("Zm9vYg", "foob"),
    ])
    func decodesBase64(encoded: String, decoded: String) throws {
        let secret = try #require(Array(encoded.utf8).withUnsafeBytes { SecretBytes.decodingBase64($0) })

        #expect(secret.withUnsafeBytes { Array($0) } == Array(decoded.utf8))
    }

    @Test(arguments: ["Z", "Zm9v!", "Zm9v====", "Zm 9v"])
    func refusesBadBase64(encoded: String) {
        #expect(Array(encoded.utf8).withUnsafeBytes { SecretBytes.decodingBase64($0) } == nil)
    }

    @Test func readsTheKeyFromAKMSResponseWithoutADecoder() throws {
        let body =
            #"{"CiphertextBlob":"AQIDBA==","KeyId":"arn:aws:kms:us-east-1:1:key\/k","Nested":{"Plaintext":"no"},"List":[1,"]",{}],"Plaintext":"Zm9vYmFy"}"#

        let reader = try #require(KMSSecretResponse(body: Array(body.utf8)))

        #expect(reader.secret("Plaintext")?.withUnsafeBytes { Array($0) } == Array("foobar".utf8))
        #expect(reader.base64("CiphertextBlob") == [1, 2, 3, 4])
        #expect(reader.string("KeyId") == "arn:aws:kms:us-east-1:1:key/k")
    }

    @Test(arguments: ["", "[]", "{", #"{"a":}"#, #"{"a":"b""#, #"{"a" "b"}"#, #"{"a":"b",}"#, "{\"a\":\"\u{1}\"}"])
    func refusesMalformedKMSResponses(body: String) {
        #expect(KMSSecretResponse(body: Array(body.utf8)) == nil)
    }
}
