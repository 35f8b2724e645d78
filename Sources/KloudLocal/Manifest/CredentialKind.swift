/// What a route of a manifest takes as proof of its caller (`credentials` in function.json), so
/// that a test can call every route with every kind and know the answer to expect.
public enum CredentialKind: String, Sendable, CaseIterable, Codable {
    /// Nobody is identified: discovery metadata, anonymous client registration.
    case none
    /// A person signed in with Clerk: a session token as `Authorization: Bearer` or the
    /// `__session` cookie.
    case session
    /// A KloudHub API key (`khk_...`).
    case apiKey
    /// An OAuth access token issued for the MCP resource (`kha_...`).
    case oauthAccessToken
    /// An OAuth client authenticating itself to the token and revocation endpoints.
    case oauthClient
    /// Clerk's webhook signature (Svix).
    case clerkWebhook

    /// The kinds that prove a person (an account): the others identify a client or nobody.
    public var provesAPerson: Bool {
        self == .session || self == .apiKey || self == .oauthAccessToken
    }
}
