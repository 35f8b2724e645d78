/// A secret as stored at rest (PP-cloud): AES-256-GCM ciphertext, the data key that sealed
/// it encrypted by KMS, and the KMS key's id. Nothing in it is plaintext.
public struct SealedSecret: Sendable, Hashable, Codable {
    /// The 12-byte nonce, the ciphertext and the 16-byte tag, in that order.
    public var ciphertext: [UInt8]
    /// The data key as KMS encrypted it, bound to the owner's encryption context.
    public var encryptedDataKey: [UInt8]
    /// The ARN of the KMS key that encrypted the data key.
    public var keyID: String

    /// Creates the stored form from its parts (as read back from the database).
    public init(ciphertext: [UInt8], encryptedDataKey: [UInt8], keyID: String) {
        self.ciphertext = ciphertext
        self.encryptedDataKey = encryptedDataKey
        self.keyID = keyID
    }
}
