import FoundationEssentials

/// How to verify Clerk session tokens and webhooks, from the function's environment.
///
/// - `KLOUDHUB_CLERK_ISSUER`: the Clerk Frontend API URL every token's `iss` must equal.
/// - `KLOUDHUB_CLERK_JWT_KEY` (a PEM public key, Clerk's networkless verification) or
///   `KLOUDHUB_CLERK_JWKS_URL` (Clerk's JWKS endpoint).
/// - `KLOUDHUB_CLERK_AUTHORIZED_PARTIES`: comma-separated origins allowed in `azp`.
/// - `KLOUDHUB_CLERK_WEBHOOK_SECRET`: the `whsec_` secret of the webhook endpoint.
/// - `KLOUDHUB_CLERK_SIGN_IN_URL`: where a person who is not signed in is sent.
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
    public var webhookSecret: String?
    public var signInURL: String?

    public init(
        issuer: String, keySource: KeySource, authorizedParties: [String], clockSkew: Duration = .seconds(5),
        webhookSecret: String? = nil, signInURL: String? = nil
    ) {
        self.issuer = issuer
        self.keySource = keySource
        self.authorizedParties = authorizedParties
        self.clockSkew = clockSkew
        self.webhookSecret = webhookSecret
        self.signInURL = signInURL
    }

    /// The configuration the environment describes; nil when it names no issuer (Clerk
    /// sign-in is then off); throws when it is incomplete.
    public init?(environment: [String: String]) throws(ConfigurationError) {
        guard let issuer = environment["KLOUDHUB_CLERK_ISSUER"], !issuer.isEmpty else { return nil }
        let keySource: KeySource
        if let pem = environment["KLOUDHUB_CLERK_JWT_KEY"], !pem.isEmpty {
            keySource = .publicKeyPEM(pem.replacing("\\n", with: "\n"))
        } else if let url = environment["KLOUDHUB_CLERK_JWKS_URL"], !url.isEmpty {
            keySource = .jwks(url: url)
        } else {
            throw ConfigurationError(variable: "KLOUDHUB_CLERK_JWT_KEY", reason: "set it or KLOUDHUB_CLERK_JWKS_URL")
        }
        let parties = (environment["KLOUDHUB_CLERK_AUTHORIZED_PARTIES"] ?? "").split(separator: ",")
            .map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        guard !parties.isEmpty else {
            throw ConfigurationError(
                variable: "KLOUDHUB_CLERK_AUTHORIZED_PARTIES", reason: "list the origins allowed to use sessions")
        }
        self.init(
            issuer: issuer, keySource: keySource, authorizedParties: parties,
            webhookSecret: environment["KLOUDHUB_CLERK_WEBHOOK_SECRET"],
            signInURL: environment["KLOUDHUB_CLERK_SIGN_IN_URL"])
    }
}

/// A required setting is missing or malformed.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable): \(reason)" }
}
