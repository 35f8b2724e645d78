import Crypto
import FoundationEssentials

/// Verifies webhooks signed the way Clerk signs them (Svix): HMAC-SHA256 with the endpoint's
/// `whsec_` secret over `id.timestamp.body`, base64 in `svix-signature` as `v1,<signature>`
/// (several, space-separated, during a secret rotation), the timestamp within a tolerance.
public struct WebhookVerifier: Sendable {
    /// How far a webhook's timestamp may be from now, either way (Svix's own tolerance).
    public static let tolerance: Duration = .seconds(300)

    private let key: SymmetricKey

    /// Takes the endpoint's secret as Clerk shows it: `whsec_` and base64.
    public init(secret: String) throws(ConfigurationError) {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))),
            bytes.count >= 16
        else {
            throw ConfigurationError(variable: "KLOUDHUB_CLERK_WEBHOOK_SECRET", reason: "expected whsec_ and base64")
        }
        key = SymmetricKey(data: bytes)
    }

    /// Checks the Svix headers against the raw body; throws why it is not authentic.
    public func verify(
        id: String?, timestamp: String?, signatures: String?, body: [UInt8], now: Date = Date()
    ) throws(WebhookError) {
        guard let id, !id.isEmpty, let timestamp, let signatures else { throw .missingHeaders }
        guard let seconds = Int64(timestamp) else { throw .badTimestamp }
        let tolerance = Double(Self.tolerance.components.seconds)
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { throw .staleTimestamp }
        let signedContent = Array("\(id).\(timestamp).".utf8) + body
        for candidate in signatures.split(separator: " ") {
            guard candidate.hasPrefix("v1,"), let mac = Data(base64Encoded: String(candidate.dropFirst(3))) else {
                continue
            }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signedContent, using: key) { return }
        }
        throw .badSignature
    }

    /// The `svix-signature` value for a body, as Clerk would send it (for the emulator and tests).
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        let signedContent = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(HMAC<SHA256>.authenticationCode(for: signedContent, using: key)).base64EncodedString()
    }
}

/// Why a webhook was refused.
public enum WebhookError: Error, Sendable, Equatable {
    case missingHeaders
    case badTimestamp
    case staleTimestamp
    case badSignature
}
