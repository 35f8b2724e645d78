import Crypto
import FoundationEssentials

/// A bearer secret KloudHub issues: an API key, an OAuth access or refresh token, or an
/// authorization code, a client secret. A recognizable prefix, then 256 random bits in base64url; only its
/// SHA-256 is ever stored, with a short display prefix (PP-keys, PP-codes).
public struct SecretToken: Sendable {
    /// What a secret is, told by its prefix.
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case apiKey = "khk_"
        case accessToken = "kha_"
        case refreshToken = "khr_"
        case authorizationCode = "khc_"
        case clientSecret = "khs_"

        /// The secret in words, as an error message names it: "an API key".
        public var description: String {
            switch self {
            case .apiKey: "an API key"
            case .accessToken: "an OAuth access token"
            case .refreshToken: "an OAuth refresh token"
            case .authorizationCode: "an authorization code"
            case .clientSecret: "a client secret"
            }
        }

        /// The `api_keys.kind` of keys of this kind; nil for codes, which live in `oauth_codes`.
        public var storedKind: String? {
            switch self {
            case .apiKey: "api"
            case .accessToken: "oauth_access"
            case .refreshToken: "oauth_refresh"
            case .authorizationCode, .clientSecret: nil
            }
        }
    }

    /// Characters of the raw secret kept for display: the prefix and 8 more.
    public static let displayPrefixLength = 12

    public let kind: Kind
    /// The secret itself, shown once to whoever it is issued to.
    public let raw: String

    /// A new secret of `kind` from the system's cryptographic random generator.
    public static func generate(_ kind: Kind) -> SecretToken {
        SecretToken(kind: kind, raw: kind.rawValue + randomText(bytes: 32))
    }

    /// `bytes` random bytes from the system's cryptographic generator, in base64url.
    public static func randomText(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The stored form of the secret.
    public var hash: Data { Self.hash(raw) }

    /// What settings show of the secret.
    public var displayPrefix: String { String(raw.prefix(Self.displayPrefixLength)) }

    /// The SHA-256 of a presented secret, to look it up by.
    public static func hash(_ presented: String) -> Data {
        Data(SHA256.hash(data: Array(presented.utf8)))
    }

    /// The kind a presented secret claims by its prefix and shape: the prefix then exactly 43
    /// base64url characters; nil for anything else.
    public static func kind(of presented: String) -> Kind? {
        guard presented.utf8.count == 47 else { return nil }
        guard let kind = Kind.allCases.first(where: { presented.hasPrefix($0.rawValue) }) else { return nil }
        return Base64URL.decode(presented.dropFirst(4))?.count == 32 ? kind : nil
    }
}
