import FoundationEssentials

/// Request headers as the request log keeps them: every value that is or may hold a credential
/// replaced by `[redacted]` (PP-logs, DESIGN.md section 10).
///
/// Redacted are the values of `Authorization`, `Cookie`, `Set-Cookie` and any header whose name
/// speaks of a credential (`X-Api-Key`, `X-Amz-Security-Token`, `Svix-Signature`, …), and any
/// value that looks like a token whatever its header: a KloudHub key, a JWT, an auth scheme
/// with its credentials, or a long run of base64 or hex characters.
public enum HeaderRedaction {
    /// What stands in for a redacted value.
    public static let placeholder = "[redacted]"
    /// The longest value kept; longer ones are cut.
    static let maximumValueLength = 1024
    /// The most headers kept.
    static let maximumHeaderCount = 64

    static let secretNames: Set<String> = ["authorization", "cookie", "set-cookie", "proxy-authorization"]
    static let secretNameFragments = [
        "token", "secret", "password", "passwd", "credential", "api-key", "apikey", "api_key", "session",
        "signature", "auth", "key",
    ].map { Array($0.utf8) }
    /// Headers that hold no secret though their name or value may look so (`keep-alive`, the
    /// trace id), kept as they are.
    static let harmlessNames: Set<String> = ["keep-alive", "sec-websocket-key", "x-amzn-trace-id", "user-agent"]

    /// The headers with secrets redacted, names lowercased, values cut to a bounded length.
    public static func redacted(_ headers: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }).prefix(maximumHeaderCount) {
            let lowered = name.lowercased()
            result[lowered] =
                isSecret(name: lowered, value: value) ? placeholder : String(value.prefix(maximumValueLength))
        }
        return result
    }

    /// Whether a header's value must not be kept.
    public static func isSecret(name: String, value: String) -> Bool {
        let lowered = name.lowercased()
        if secretNames.contains(lowered) { return true }
        if harmlessNames.contains(lowered) { return false }
        let nameBytes = Array(lowered.utf8)
        if secretNameFragments.contains(where: { nameBytes.contains(run: $0) }) { return true }
        return value.split(separator: ",").contains { looksLikeToken($0.trimmingASCIIWhitespace()) }
            || value.split(separator: " ").contains { looksLikeToken($0.trimmingASCIIWhitespace()) }
    }

    /// Whether `text` looks like a credential: a KloudHub secret, a JWT, an auth scheme followed
    /// by its credentials, or 32 or more characters drawn only from base64url, base64 or hex.
    public static func looksLikeToken(_ text: some StringProtocol) -> Bool {
        let value = String(text)
        if SecretToken.kind(of: value) != nil || JSONWebToken.looksLikeToken(value) { return true }
        for scheme in ["bearer ", "basic ", "digest ", "aws4-hmac-sha256 "] where value.lowercased().hasPrefix(scheme) {
            return true
        }
        for prefix in ["khk_", "kha_", "khr_", "khc_", "khs_", "whsec_", "sk_live_", "sk_test_", "akia", "asia"]
        where value.lowercased().hasPrefix(prefix) && value.utf8.count >= 16 {
            return true
        }
        guard value.utf8.count >= 32 else { return false }
        return value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "+"),
                UInt8(ascii: "/"), UInt8(ascii: "="):
                true
            default: false
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `run` occurs in these bytes: a plain loop, where `String.contains` goes through
    /// the generic string-processing searcher (a fifth of a request's logging cost).
    fileprivate func contains(run: [UInt8]) -> Bool {
        guard count >= run.count else { return false }
        return (0...(count - run.count)).contains { start in self[start..<(start + run.count)].elementsEqual(run) }
    }
}
