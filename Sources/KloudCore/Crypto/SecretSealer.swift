import Crypto
import FoundationEssentials

/// Envelope encryption of cloud credentials (PP-cloud): each secret is sealed with AES-256-GCM
/// under a fresh KMS data key, both bound to the owner's ids.
///
/// Sealing asks KMS for a data key (`GenerateDataKey`, AES_256) with the owner's encryption
/// context and seals the secret with the owner's ids as additional data; only the ciphertext,
/// the encrypted data key and the key id are kept (``SealedSecret``). Opening needs KMS to
/// decrypt the data key under the same context, so a database dump alone opens nothing. The
/// plaintext data key and secret live in ``SecretBytes`` (and swift-crypto's key storage),
/// which are zeroed when released; intermediate buffers are wiped before release.
public struct SecretSealer: Sendable {
    /// KMS error codes by which it refuses to decrypt a data key for the context given.
    private static let refusalCodes: Set<String> = ["InvalidCiphertextException", "IncorrectKeyException"]

    private let kms: KMSClient
    /// The KMS key new data keys are made under (an id, ARN or alias).
    public let keyID: String

    /// Creates a sealer that makes data keys under `keyID`.
    public init(kms: KMSClient, keyID: String) {
        self.kms = kms
        self.keyID = keyID
    }

    /// Seals a secret for its owner with a data key of its own.
    public func seal(_ secret: SecretBytes, for owner: SecretOwner) async throws(SecretSealingError) -> SealedSecret {
        try Self.validate(owner)
        let dataKey: KMSDataKey
        do {
            dataKey = try await kms.generateDataKey(keyID: keyID, encryptionContext: owner.encryptionContext)
        } catch {
            throw .kmsFailed(error)
        }
        guard dataKey.plaintext.count == 32 else { throw .invalidDataKey() }
        let key = dataKey.plaintext.withUnsafeBytes { SymmetricKey(data: $0) }
        let additionalData = owner.additionalAuthenticatedData
        do {
            let box = try secret.withUnsafeBytes { plaintext in
                try AES.GCM.seal(plaintext, using: key, authenticating: additionalData)
            }
            guard let combined = box.combined else {
                throw SecretSealingError.invalidSealedSecret("AES-GCM gave no combined form")
            }
            return SealedSecret(
                ciphertext: Array(combined), encryptedDataKey: dataKey.ciphertextBlob, keyID: dataKey.keyID)
        } catch let error as SecretSealingError {
            throw error
        } catch {
            throw .sealingFailed(error)
        }
    }

    /// Opens a sealed secret for its owner; any other owner, a wrong context or an altered
    /// byte is refused.
    public func open(_ sealed: SealedSecret, for owner: SecretOwner) async throws(SecretSealingError) -> SecretBytes {
        try Self.validate(owner)
        guard sealed.ciphertext.count >= 12 + 16, !sealed.encryptedDataKey.isEmpty, !sealed.keyID.isEmpty else {
            throw .invalidSealedSecret("the sealed secret lacks a ciphertext, a data key or a key id")
        }
        let decrypted: KMSPlaintext
        do {
            decrypted = try await kms.decrypt(
                ciphertextBlob: sealed.encryptedDataKey, keyID: sealed.keyID,
                encryptionContext: owner.encryptionContext)
        } catch {
            if let code = error.serviceCode, Self.refusalCodes.contains(code) { throw .keyRefused(error) }
            throw .kmsFailed(error)
        }
        guard decrypted.plaintext.count == 32 else { throw .invalidDataKey() }
        let key = decrypted.plaintext.withUnsafeBytes { SymmetricKey(data: $0) }
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.SealedBox(combined: sealed.ciphertext)
        } catch {
            throw .invalidSealedSecret("the ciphertext is not nonce, ciphertext and tag")
        }
        var plaintext: Data
        do {
            plaintext = try AES.GCM.open(box, using: key, authenticating: owner.additionalAuthenticatedData)
        } catch {
            throw .authenticationFailed(error)
        }
        defer { SecretBytes.wipe(&plaintext) }
        let count = plaintext.count
        return SecretBytes(capacity: count) { buffer in
            plaintext.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return count
        }
    }

    private static func validate(_ owner: SecretOwner) throws(SecretSealingError) {
        guard !owner.accountID.isEmpty, !owner.cloudAccountID.isEmpty else { throw .invalidOwner() }
    }
}
