import Crypto
import Foundation
import KloudCore

/// The emulator's stand-in for Clerk (DESIGN.md section 5): signs RS256 session tokens for
/// whoever fills in the development sign-in page, with a key whose public half the functions
/// get exactly as they would get Clerk's. It exists only in the emulator.
public struct DevelopmentSignIn: Sendable {
    /// The key and webhook secret it signs with.
    public let signingKey: DevelopmentSigningKey
    /// The gateway's origin (`http://127.0.0.1:3000`), with no trailing slash.
    public let origin: String

    /// Signs with `signingKey` for the gateway at `origin`.
    public init(signingKey: DevelopmentSigningKey, origin: String) {
        self.signingKey = signingKey
        self.origin = origin.hasSuffix("/") ? String(origin.dropLast()) : origin
    }

    /// Signs with the key in the PEM file `keyFile`, made and written first when missing.
    public init(keyFile: URL, origin: String) throws {
        self.init(signingKey: try DevelopmentSigningKey(keyFile: keyFile), origin: origin)
    }

    /// Signs with a new key kept in memory only.
    public init(origin: String) throws {
        self.init(signingKey: try DevelopmentSigningKey(), origin: origin)
    }

    // MARK: - What the functions are given

    /// The public key as SPKI PEM, given to the functions as `KLOUDHUB_CLERK_JWT_KEY`.
    public var publicKeyPEM: String { signingKey.publicKeyPEM }
    /// The `kid` of every token it signs.
    public var keyID: String { signingKey.keyID }
    /// The Clerk-style webhook signing secret (`whsec_...`).
    public var webhookSecret: String { signingKey.webhookSecret }
    /// The tokens' `iss`: `<origin>/dev/clerk`.
    public var issuer: String { origin + "/dev/clerk" }
    /// The sign-in page, where the functions send a visitor who has no session.
    public var signInURL: String { origin + "/dev/sign-in" }

    /// The settings that point a function at this stand-in, as they would point it at Clerk.
    public var settings: [Setting: String] {
        [
            .clerkJWTKey: publicKeyPEM, .clerkIssuer: issuer, .clerkAuthorizedParties: origin,
            .clerkSignInURL: signInURL, .clerkWebhookSecret: webhookSecret,
        ]
    }

    // MARK: - Signing

    /// A session token (a compact RS256 JWT) for the person named `name` with address `email`,
    /// valid from `now` for `lifetime`.
    ///
    /// The email is trimmed and lowercased, as Clerk stores addresses; the same address is the
    /// same `sub` in every session.
    public func sessionToken(
        name: String, email: String, lifetime: Duration = .seconds(8 * 3600), now: Date = Date()
    ) throws -> String {
        try session(name: name, email: email, lifetime: lifetime, now: now).token
    }

    /// The Clerk-style user id for `email`: `user_` and the first 24 hex digits of SHA-256 of
    /// the trimmed, lowercased address.
    public static func userID(forEmail email: String) -> String {
        let normalized = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return "user_" + SHA256.hash(data: Data(normalized.utf8)).hexDigits.prefix(24)
    }

    /// A signed session and its claims; throws a ``DevelopmentSignInError`` for a name, an email
    /// or a lifetime out of bounds.
    func session(name: String, email: String, lifetime: Duration, now: Date) throws -> SignedSession {
        let name = try Self.validName(name)
        let email = try Self.validEmail(email)
        let seconds = lifetime.components.seconds
        guard (1...(30 * 24 * 3600)).contains(seconds) else { throw DevelopmentSignInError(.invalidLifetime) }
        let issuedAt = Int(now.timeIntervalSince1970.rounded(.down))
        var random = SystemRandomNumberGenerator()
        let sessionBytes = (0..<12).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let claims = SessionClaims(
            iss: issuer, azp: origin, sub: Self.userID(forEmail: email), sid: "sess_" + sessionBytes.hexDigits,
            iat: issuedAt, nbf: issuedAt, exp: issuedAt + Int(seconds), email: email, name: name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header = Base64URL.encode(try encoder.encode(SessionTokenHeader(kid: keyID)))
        let signingInput = header + "." + Base64URL.encode(try encoder.encode(claims))
        let signature = try signingKey.signature(for: Data(signingInput.utf8))
        return SignedSession(token: signingInput + "." + Base64URL.encode(signature), claims: claims)
    }

    /// The claims of `token` when this key signed it and it is valid at `now`, else nil.
    func verifiedClaims(of token: String, at now: Date = Date()) -> SessionClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerJSON = Base64URL.decode(parts[0]).map { Data($0) },
            let claimsJSON = Base64URL.decode(parts[1]).map { Data($0) },
            let signature = Base64URL.decode(parts[2]).map { Data($0) },
            signingKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)),
            let header = try? JSONDecoder().decode(SessionTokenHeader.self, from: headerJSON),
            header.alg == "RS256", header.kid == keyID,
            let claims = try? JSONDecoder().decode(SessionClaims.self, from: claimsJSON), claims.iss == issuer
        else { return nil }
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        return claims.nbf <= seconds && seconds < claims.exp ? claims : nil
    }

    // MARK: - Validation

    /// `name` trimmed, when that leaves 1 to 200 characters.
    static func validName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(trimmed.count) else { throw DevelopmentSignInError(.invalidName) }
        return trimmed
    }

    /// `email` trimmed and lowercased, when it looks like an address: one `@`, a local part of
    /// at most 64 characters, a dotted domain, no spaces or control characters, 254 at most.
    static func validEmail(_ email: String) throws -> String {
        let address = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let forbidden = Set("<>()[]\\,;:\"".unicodeScalars)
        let hasOnlyAllowedCharacters = address.unicodeScalars.allSatisfy {
            $0.value > 0x20 && $0.value != 0x7F && !forbidden.contains($0)
        }
        guard address.utf8.count <= 254, hasOnlyAllowedCharacters, parts.count == 2,
            (1...64).contains(parts[0].utf8.count)
        else { throw DevelopmentSignInError(.invalidEmail) }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            throw DevelopmentSignInError(.invalidEmail)
        }
        return address
    }
}
