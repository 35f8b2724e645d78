import Crypto
import Foundation
import KloudCore
import _CryptoExtras

/// The secrets the development sign-in holds in Clerk's place: the RSA key that signs session
/// tokens and the secret that signs webhooks.
///
/// From a key file they are kept (mode 0600) across restarts, so sessions and webhook receivers
/// outlive the emulator; otherwise they live in memory only.
public struct DevelopmentSigningKey: Sendable {
    /// The webhook secret's file name, in the key file's folder.
    public static let webhookSecretFileName = "dev-webhook-secret"

    let privateKey: _RSA.Signing.PrivateKey
    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as Clerk shows its JWT public key.
    public let publicKeyPEM: String
    /// The key's id in token headers: the first 16 characters of base64url(SHA-256(SPKI DER)).
    public let keyID: String
    /// A Clerk-style (Svix) webhook signing secret: `whsec_` and the base64 of 32 random bytes.
    public let webhookSecret: String

    /// A new key and webhook secret, kept in memory only.
    public init() throws {
        try self.init(privateKey: _RSA.Signing.PrivateKey(keySize: .bits2048), webhookSecret: Self.newWebhookSecret())
    }

    /// The key in the PEM file `keyFile` and the webhook secret beside it, each generated and
    /// written (mode 0600, creating the folder) when missing.
    public init(keyFile: URL) throws {
        let pem = try SecretFile.contents(of: keyFile, unreadable: .unreadableKey) {
            try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation + "\n"
        }
        let secretFile = keyFile.deletingLastPathComponent().appendingPathComponent(Self.webhookSecretFileName)
        let secret = try SecretFile.contents(of: secretFile, unreadable: .unreadableWebhookSecret) {
            Self.newWebhookSecret() + "\n"
        }.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let privateKey = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) else {
            throw DevelopmentSignInError(.unreadableKey, detail: keyFile.path)
        }
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))),
            bytes.count >= 24
        else {
            throw DevelopmentSignInError(.unreadableWebhookSecret, detail: secretFile.path)
        }
        self.init(privateKey: privateKey, webhookSecret: secret)
    }

    private init(privateKey: _RSA.Signing.PrivateKey, webhookSecret: String) {
        self.privateKey = privateKey
        self.publicKeyPEM = privateKey.publicKey.pemRepresentation
        self.keyID = String(Base64URL.encode(SHA256.hash(data: privateKey.publicKey.derRepresentation)).prefix(16))
        self.webhookSecret = webhookSecret
    }

    /// The RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `message`.
    func signature(for message: Data) throws -> Data {
        try privateKey.signature(for: message, padding: .insecurePKCS1v1_5).rawRepresentation
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    func isValidSignature(_ signature: Data, for message: Data) -> Bool {
        privateKey.publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
    }

    private static func newWebhookSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }
}
