import Testing

@testable import KloudCore

@Suite("KMS client against moto with signature checks")
struct KMSClientTests {
    private static let signatureCodes: Set<String> = [
        "InvalidSignatureException", "SignatureDoesNotMatch", "UnrecognizedClientException",
    ]

    @Test func generatesADataKeyThatDecryptsUnderItsContext() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let kms = KMSClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let key = try await kms.createKey(description: "kms client test")
        let context = ["kloudhub:account-id": "acct-1"]

        let dataKey = try await kms.generateDataKey(keyID: key.keyID, encryptionContext: context)
        let decrypted = try await kms.decrypt(
            ciphertextBlob: dataKey.ciphertextBlob, keyID: key.keyID, encryptionContext: context)

        #expect(dataKey.plaintext.count == 32)
        #expect(decrypted.plaintext.isEqual(to: dataKey.plaintext))
        #expect(dataKey.keyID.hasSuffix(key.keyID))
        #expect(
            !String(describing: dataKey.plaintext).contains(where: \.isNumber)
                || String(describing: dataKey.plaintext).contains("32 bytes"))
    }

    @Test func encryptsAndDecryptsWithAContext() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let kms = KMSClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let key = try await kms.createKey()

        let ciphertext = try await kms.encrypt(
            keyID: key.keyID, plaintext: Array("hello".utf8), encryptionContext: ["k": "v"])
        let plaintext = try await kms.decrypt(ciphertextBlob: ciphertext.ciphertextBlob, encryptionContext: ["k": "v"])

        #expect(plaintext.plaintext.withUnsafeBytes { Array($0) } == Array("hello".utf8))
    }

    @Test func refusesToDecryptUnderAnotherContext() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let kms = KMSClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let key = try await kms.createKey()
        let ciphertext = try await kms.encrypt(keyID: key.keyID, plaintext: [1, 2, 3], encryptionContext: ["k": "v"])

        let error = try await #require(throws: AWSError.self) {
            try await kms.decrypt(ciphertextBlob: ciphertext.ciphertextBlob, encryptionContext: ["k": "other"])
        }

        #expect(error.serviceCode == "InvalidCiphertextException")
    }

    @Test func everyCallWithAWrongSecretIsRefused() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let good = KMSClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let key = try await good.createKey()
        let blob = try await good.encrypt(keyID: key.keyID, plaintext: [1]).ciphertextBlob
        let bad = KMSClient(configuration: try moto.wronglySignedConfiguration(), httpClient: HTTPClient())

        var errors: [AWSError] = []
        do { _ = try await bad.createKey() } catch { errors.append(error) }
        do { _ = try await bad.generateDataKey(keyID: key.keyID, encryptionContext: ["a": "b"]) } catch {
            errors.append(error)
        }
        do { _ = try await bad.encrypt(keyID: key.keyID, plaintext: [1]) } catch { errors.append(error) }
        do { _ = try await bad.decrypt(ciphertextBlob: blob) } catch { errors.append(error) }

        #expect(errors.count == 4)
        for error in errors {
            #expect(error.code == .serviceError)
            #expect(error.serviceCode.map(Self.signatureCodes.contains) == true, "\(String(reflecting: error))")
            #expect(error.statusCode == 403 || error.statusCode == 400)
        }
    }
}
