/// Whose secret a sealed secret is: the KloudHub account and the connected cloud account.
///
/// The ids bind a sealed secret to its row twice: as the KMS encryption context of its data
/// key, and as the additional authenticated data of its AES-GCM seal. A secret moved to
/// another row (or opened for another owner) fails both.
public struct SecretOwner: Sendable, Hashable {
    /// The KloudHub account that owns the cloud account.
    public var accountID: String
    /// The connected cloud account the secret belongs to.
    public var cloudAccountID: String

    /// Creates an owner from the two ids.
    public init(accountID: String, cloudAccountID: String) {
        self.accountID = accountID
        self.cloudAccountID = cloudAccountID
    }

    /// The KMS encryption context: the two ids under KloudHub's names.
    public var encryptionContext: [String: String] {
        ["kloudhub:account-id": accountID, "kloudhub:cloud-account-id": cloudAccountID]
    }

    /// The AES-GCM additional data: a version label, then each id with its length, so that no
    /// two different pairs of ids give the same bytes.
    var additionalAuthenticatedData: [UInt8] {
        var bytes = Array("kloudhub.sealed-secret.v1".utf8)
        for id in [accountID, cloudAccountID] {
            let count = UInt32(id.utf8.count)
            bytes += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
            bytes += id.utf8
        }
        return bytes
    }
}
