import FoundationEssentials

/// AWS Key Management Service: data keys for envelope encryption, and small encryptions
/// under a KMS key, each bound to an encryption context.
///
/// Plaintext keys come back as ``SecretBytes``, read from the response without a JSON decoder
/// and with the response body wiped afterwards.
public struct KMSClient: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .kms, configuration: configuration, httpClient: httpClient, credentialsProvider: credentials)
    }

    // MARK: - Keys

    /// Creates a symmetric encryption key and returns its id (what the emulator and tests use).
    public func createKey(description: String? = nil) async throws(AWSError) -> KMSKey {
        let output = try await client.json(
            operation: "CreateKey", input: KMSWireShapes.CreateKeyInput(description: description),
            output: KMSWireShapes.CreateKeyOutput.self)
        return KMSKey(keyID: output.keyMetadata.keyID, arn: output.keyMetadata.arn)
    }

    // MARK: - Data keys

    /// Generates a fresh 256-bit data key under `keyID`, bound to `encryptionContext`: its
    /// plaintext for one use, and its encrypted form to store.
    public func generateDataKey(
        keyID: String,
        encryptionContext: [String: String]
    ) async throws(AWSError) -> KMSDataKey {
        let input = KMSWireShapes.GenerateDataKeyInput(keyID: keyID, encryptionContext: encryptionContext)
        var response = try await client.json(operation: "GenerateDataKey", body: try client.encodeJSON(input))
        defer { SecretBytes.wipe(&response.body) }
        guard let reader = KMSSecretResponse(body: response.body), let plaintext = reader.secret("Plaintext"),
            let ciphertext = reader.base64("CiphertextBlob"), let returnedKeyID = reader.string("KeyId")
        else {
            throw .malformedResponse("KMS", "GenerateDataKey did not return a key")
        }
        return KMSDataKey(plaintext: plaintext, ciphertextBlob: ciphertext, keyID: returnedKeyID)
    }

    // MARK: - Encryption

    /// Encrypts up to 4 KB under `keyID`, bound to `encryptionContext`.
    public func encrypt(
        keyID: String,
        plaintext: [UInt8],
        encryptionContext: [String: String] = [:]
    ) async throws(AWSError) -> KMSCiphertext {
        guard (1...4096).contains(plaintext.count) else {
            throw .invalidRequest("KMS", "Encrypt takes 1 to 4096 bytes")
        }
        let input = KMSWireShapes.EncryptInput(
            keyID: keyID, plaintext: Data(plaintext).base64EncodedString(),
            encryptionContext: encryptionContext.isEmpty ? nil : encryptionContext)
        let output = try await client.json(operation: "Encrypt", input: input, output: KMSWireShapes.EncryptOutput.self)
        guard let blob = Data(base64Encoded: output.ciphertextBlob) else {
            throw .malformedResponse("KMS", "the CiphertextBlob is not base64")
        }
        return KMSCiphertext(ciphertextBlob: Array(blob), keyID: output.keyID)
    }

    /// Decrypts a ciphertext blob (a data key or an `Encrypt` result); KMS refuses unless the
    /// encryption context is the one it was made with, and, when `keyID` is given, unless that
    /// key made it.
    public func decrypt(
        ciphertextBlob: [UInt8],
        keyID: String? = nil,
        encryptionContext: [String: String] = [:]
    ) async throws(AWSError) -> KMSPlaintext {
        let input = KMSWireShapes.DecryptInput(
            ciphertextBlob: Data(ciphertextBlob).base64EncodedString(), keyID: keyID,
            encryptionContext: encryptionContext.isEmpty ? nil : encryptionContext)
        var response = try await client.json(operation: "Decrypt", body: try client.encodeJSON(input))
        defer { SecretBytes.wipe(&response.body) }
        guard let reader = KMSSecretResponse(body: response.body), let plaintext = reader.secret("Plaintext"),
            let returnedKeyID = reader.string("KeyId")
        else {
            throw .malformedResponse("KMS", "Decrypt did not return a plaintext")
        }
        return KMSPlaintext(plaintext: plaintext, keyID: returnedKeyID)
    }
}

/// A KMS key's id and ARN.
public struct KMSKey: Sendable, Hashable {
    /// The key id, a UUID.
    public var keyID: String
    /// The key's ARN.
    public var arn: String?
}

/// A data key from `GenerateDataKey`: the plaintext for one use, the ciphertext to store.
public struct KMSDataKey: Sendable {
    /// The 32 plaintext key bytes, wiped when released.
    public var plaintext: SecretBytes
    /// The key encrypted under the KMS key, bound to the encryption context.
    public var ciphertextBlob: [UInt8]
    /// The ARN of the KMS key that encrypted it.
    public var keyID: String
}

/// The result of `Encrypt`.
public struct KMSCiphertext: Sendable, Hashable {
    /// The ciphertext, bound to the encryption context.
    public var ciphertextBlob: [UInt8]
    /// The ARN of the KMS key that encrypted it.
    public var keyID: String
}

/// The result of `Decrypt`.
public struct KMSPlaintext: Sendable {
    /// The plaintext, wiped when released.
    public var plaintext: SecretBytes
    /// The ARN of the KMS key that had encrypted it.
    public var keyID: String
}
