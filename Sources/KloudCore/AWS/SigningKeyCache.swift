import Crypto
import Synchronization

/// The last SigV4 signing key a signer derived, reused while the secret and the day stay
/// the same.
///
/// A signer has one region and one service, so the key changes only with the credentials or
/// at midnight UTC; deriving it costs four HMACs, more than the rest of a signature. The key
/// is kept as an HMAC already keyed with it (its inner and outer hash states), so each
/// signature only hashes the string to sign. One entry is enough: a function signs with one
/// set of credentials at a time.
final class SigningKeyCache: Sendable {
    private struct Entry {
        let secretAccessKey: String
        let dateStamp: String
        let authenticator: HMAC<SHA256>
    }

    private let entry = Mutex<Entry?>(nil)

    init() {}

    /// The keyed HMAC for this secret and day, or the one `derive` makes (which is then cached).
    func authenticator(
        secretAccessKey: String,
        dateStamp: String,
        derive: () -> HMAC<SHA256>
    ) -> HMAC<SHA256> {
        let cached = entry.withLock { entry -> HMAC<SHA256>? in
            guard let entry, entry.dateStamp == dateStamp, entry.secretAccessKey == secretAccessKey else {
                return nil
            }
            return entry.authenticator
        }
        if let cached { return cached }
        let authenticator = derive()
        entry.withLock {
            $0 = Entry(secretAccessKey: secretAccessKey, dateStamp: dateStamp, authenticator: authenticator)
        }
        return authenticator
    }
}
