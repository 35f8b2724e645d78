import FoundationEssentials

/// How to verify Clerk session tokens, from the function's settings:
///
/// - `KLOUDHUB_CLERK_ISSUER`: the Clerk Frontend API URL every token's `iss` must equal.
/// - `KLOUDHUB_CLERK_JWT_KEY` (a PEM public key, Clerk's networkless verification) or
///   `KLOUDHUB_CLERK_JWKS_URL` (Clerk's JWKS endpoint).
/// - `KLOUDHUB_CLERK_AUTHORIZED_PARTIES`: comma-separated origins allowed in `azp`.
public struct ClerkConfiguration: Sendable {
    /// Where the verification keys come from.
    public enum KeySource: Sendable {
        case publicKeyPEM(String)
        case jwks(url: String)
    }

    public var issuer: String
    public var keySource: KeySource
    public var authorizedParties: [String]
    /// How far `exp` and `nbf` may be off, for clocks that disagree a little.
    public var clockSkew: Duration

    public init(
        issuer: String, keySource: KeySource, authorizedParties: [String], clockSkew: Duration = .seconds(5)
    ) {
        self.issuer = issuer
        self.keySource = keySource
        self.authorizedParties = authorizedParties
        self.clockSkew = clockSkew
    }

    /// The configuration the settings describe; nil when they name no issuer (Clerk sign-in is
    /// then off); throws when it is incomplete. Reads every Clerk verification setting.
    public init?(reading environment: inout EnvironmentReader) throws(ConfigurationError) {
        let issuer = environment.value(.clerkIssuer)
        let pem = environment.value(.clerkJWTKey)
        let jwksURL = environment.value(.clerkJWKSURL)
        let partyList = environment.value(.clerkAuthorizedParties)
        guard let issuer else { return nil }
        let keySource: KeySource
        if let pem {
            keySource = .publicKeyPEM(pem.replacing("\\n", with: "\n"))
        } else if let jwksURL {
            keySource = .jwks(url: jwksURL)
        } else {
            throw ConfigurationError(
                variable: Setting.clerkJWTKey.rawValue, reason: "set it or \(Setting.clerkJWKSURL.rawValue)")
        }
        let parties = (partyList ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace() }
            .filter { !$0.isEmpty }
        guard !parties.isEmpty else {
            throw ConfigurationError(
                variable: Setting.clerkAuthorizedParties.rawValue, reason: "list the origins allowed to use sessions")
        }
        self.init(issuer: issuer, keySource: keySource, authorizedParties: parties)
    }
}
