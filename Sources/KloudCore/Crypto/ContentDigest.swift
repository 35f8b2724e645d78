import Crypto

/// Digests of content KloudHub stores (a Kloud's files), for functions that do not link Crypto.
public enum ContentDigest {
    /// The SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
}
