import Crypto
import Foundation
import KloudCore
import _CryptoExtras

/// Signs Clerk-shaped session tokens with a key of the test's own, as Clerk would.
public struct TestSessionTokens: Sendable {
    public static let issuer = "https://clerk.kloudhub.test"
    public static let party = "https://app.kloudhub.test"

    /// The issuer and authorized party this signer's tokens claim.
    public var issuer = Self.issuer
    public var party = Self.party

    public let key: _RSA.Signing.PrivateKey
    public let keyID: String

    public init(keyID: String = "test-key-1") throws {
        key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        self.keyID = keyID
    }

    public var publicKeyPEM: String { key.publicKey.pemRepresentation }

    /// The key as a JWKS entry.
    public var jwk: [String: String] {
        // The primitives of a key this type generated are always there.
        let numbers = try! key.publicKey.getKeyPrimitives()
        return [
            "kty": "RSA", "kid": keyID, "use": "sig", "alg": "RS256", "n": Base64URL.encode(numbers.modulus),
            "e": Base64URL.encode(numbers.publicExponent),
        ]
    }

    public func claims(now: Date = Date(), lifetime: TimeInterval = 60) -> [String: Any] {
        let seconds = Int(now.timeIntervalSince1970)
        return [
            "iss": issuer, "azp": party, "sub": "user_test123", "sid": "sess_abc",
            "iat": seconds, "nbf": seconds, "exp": seconds + Int(lifetime),
            "email": "ada@example.com", "name": "Ada Lovelace",
        ]
    }

    public func token(header: [String: Any]? = nil, claims: [String: Any]? = nil) throws -> String {
        let header = header ?? ["alg": "RS256", "kid": keyID, "typ": "JWT"]
        let input = try Self.part(header) + "." + Self.part(claims ?? self.claims())
        let signature = try key.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// A token signed with HMAC-SHA256 keyed by the public key's PEM: the algorithm-confusion attack.
    public func hmacConfusionToken() throws -> String {
        let input = try Self.part(["alg": "HS256", "kid": keyID, "typ": "JWT"]) + "." + Self.part(claims())
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(input.utf8), using: SymmetricKey(data: Array(publicKeyPEM.utf8)))
        return input + "." + Base64URL.encode(Array(mac))
    }

    public static func part(_ object: [String: Any]) throws -> String {
        Base64URL.encode(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    public func configuration(source: ClerkConfiguration.KeySource? = nil) -> ClerkConfiguration {
        ClerkConfiguration(
            issuer: issuer, keySource: source ?? .publicKeyPEM(publicKeyPEM), authorizedParties: [party])
    }
}
