import Crypto
import FoundationEssentials
import LambdaRuntime
import Synchronization
import _CryptoExtras

/// What a verified Clerk session token says of the person.
public struct ClerkSession: Sendable, Equatable {
    /// Clerk's user id (`sub`).
    public var userID: String
    public var sessionID: String?
    /// From the session token's custom claims, when Clerk is configured to add them.
    public var email: String?
    public var name: String?
    public var expiresAt: Date
}

/// Verifies Clerk session tokens: RS256 only, the key by `kid`, `exp` and `nbf` with a small
/// skew, the issuer, and the authorized party (DESIGN.md section 7).
public final class ClerkSessionVerifier: Sendable {
    /// A JWKS is fetched again at most this often when a token names a key it does not hold.
    static let unknownKeyRefetchInterval: Duration = .seconds(60)
    /// A JWKS is refreshed when older than this.
    static let keySetLifetime: Duration = .seconds(3600)

    public let configuration: ClerkConfiguration
    private let httpClient: HTTPClient?
    private let now: @Sendable () -> Date
    private let fixedKey: _RSA.Signing.PublicKey?
    private let keySet = Mutex<CachedKeySet?>(nil)

    private struct CachedKeySet {
        var keys: [String: _RSA.Signing.PublicKey]
        var fetchedAt: Date
    }

    /// Creates a verifier; a PEM key is parsed here, so a bad one fails at start, not per request.
    public init(
        configuration: ClerkConfiguration, httpClient: HTTPClient? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(ConfigurationError) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.now = now
        switch configuration.keySource {
        case .publicKeyPEM(let pem):
            do {
                let key = try _RSA.Signing.PublicKey(pemRepresentation: pem)
                guard key.keySizeInBits >= 2048 else {
                    throw ConfigurationError(variable: "KLOUDHUB_CLERK_JWT_KEY", reason: "RSA keys under 2048 bits")
                }
                fixedKey = key
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(variable: "KLOUDHUB_CLERK_JWT_KEY", reason: "not a PEM RSA public key")
            }
        case .jwks:
            guard httpClient != nil else {
                throw ConfigurationError(variable: "KLOUDHUB_CLERK_JWKS_URL", reason: "needs an HTTP client")
            }
            fixedKey = nil
        }
    }

    /// The session the token proves, or why it proves nothing.
    public func verify(_ token: String) async throws(SessionTokenError) -> ClerkSession {
        let jwt = try JSONWebToken(compact: token)
        let algorithm = jwt.header["alg"]?.stringValue ?? "(none)"
        guard algorithm == "RS256" else { throw .unsupportedAlgorithm(algorithm) }
        if jwt.header["crit"] != nil { throw .malformed("critical header parameters are not supported") }
        let key = try await key(for: jwt.header["kid"]?.stringValue)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: jwt.signature)
        guard key.isValidSignature(signature, for: SHA256.hash(data: jwt.signingInput), padding: .insecurePKCS1v1_5)
        else { throw .badSignature }
        return try checkClaims(jwt.claims)
    }

    private func checkClaims(_ claims: [String: JSONValue]) throws(SessionTokenError) -> ClerkSession {
        let current = now().timeIntervalSince1970
        let skew = Double(configuration.clockSkew.components.seconds)
        guard case .number(let expiry)? = claims["exp"] else { throw .missingClaim("exp") }
        guard current < expiry + skew else { throw .expired }
        if let notBefore = claims["nbf"] {
            guard case .number(let value) = notBefore else { throw .missingClaim("nbf") }
            guard current >= value - skew else { throw .notYetValid }
        }
        guard let issuer = claims["iss"]?.stringValue else { throw .missingClaim("iss") }
        guard issuer == configuration.issuer else { throw .wrongIssuer(issuer) }
        guard let party = claims["azp"]?.stringValue else { throw .missingClaim("azp") }
        guard configuration.authorizedParties.contains(party) else { throw .unauthorizedParty(party) }
        guard let subject = claims["sub"]?.stringValue, (1...200).contains(subject.utf8.count) else {
            throw .missingClaim("sub")
        }
        let email = claims["email"]?.stringValue?.trimmingASCIIWhitespace()
        let name = claims["name"]?.stringValue?.trimmingASCIIWhitespace()
        return ClerkSession(
            userID: subject, sessionID: claims["sid"]?.stringValue, email: email?.isEmpty == true ? nil : email,
            name: name, expiresAt: Date(timeIntervalSince1970: expiry))
    }

    // MARK: - Keys

    private func key(for keyID: String?) async throws(SessionTokenError) -> _RSA.Signing.PublicKey {
        if let fixedKey { return fixedKey }
        guard let keyID else { throw .malformed("no kid in the header") }
        let cached = keySet.withLock { $0 }
        let age = cached.map { now().timeIntervalSince($0.fetchedAt) } ?? .infinity
        if let key = cached?.keys[keyID], age < Double(Self.keySetLifetime.components.seconds) { return key }
        if cached?.keys[keyID] == nil, age < Double(Self.unknownKeyRefetchInterval.components.seconds) {
            throw .unknownKey(keyID)
        }
        let fetched = try await fetchKeySet()
        keySet.withLock { $0 = CachedKeySet(keys: fetched, fetchedAt: now()) }
        guard let key = fetched[keyID] else { throw .unknownKey(keyID) }
        return key
    }

    private func fetchKeySet() async throws(SessionTokenError) -> [String: _RSA.Signing.PublicKey] {
        guard case .jwks(let url) = configuration.keySource, let httpClient else { return [:] }
        let response: HTTPResponse
        do {
            response = try await httpClient.execute(
                HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"], timeout: .seconds(5)))
        } catch {
            throw .keysUnavailable("\(error)")
        }
        guard response.isSuccess else { throw .keysUnavailable("HTTP \(response.status)") }
        do {
            return try JSONWebKeySet.rsaSigningKeys(from: response.body)
        } catch {
            throw .keysUnavailable("not a JWKS")
        }
    }
}

/// A JSON Web Key Set (RFC 7517), read for its RSA signing keys.
enum JSONWebKeySet {
    struct Malformed: Error {}

    /// The set's RS256-usable keys by `kid`; other kinds of keys are skipped.
    static func rsaSigningKeys(from body: [UInt8]) throws -> [String: _RSA.Signing.PublicKey] {
        guard case .array(let keys)? = try JSONDecoder().decode(JSONValue.self, from: Data(body))["keys"] else {
            throw Malformed()
        }
        var result: [String: _RSA.Signing.PublicKey] = [:]
        for key in keys {
            guard key["kty"]?.stringValue == "RSA", let keyID = key["kid"]?.stringValue,
                key["use"].map({ $0.stringValue == "sig" }) ?? true,
                key["alg"].map({ $0.stringValue == "RS256" }) ?? true,
                let modulus = key["n"]?.stringValue.flatMap(Base64URL.decode),
                let exponent = key["e"]?.stringValue.flatMap(Base64URL.decode),
                let publicKey = try? _RSA.Signing.PublicKey(n: modulus, e: exponent),
                publicKey.keySizeInBits >= 2048
            else { continue }
            result[keyID] = publicKey
        }
        return result
    }
}
