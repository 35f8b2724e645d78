/// The claims of a development session token: Clerk's standard ones plus the `email` and
/// `name` a customized Clerk session token carries, which the functions require.
struct SessionClaims: Codable, Equatable, Sendable {
    /// The issuer, `<gateway origin>/dev/clerk`.
    var iss: String
    /// The authorized party: the origin the session was made for.
    var azp: String
    /// The user: `user_` and 24 hex digits of SHA-256 of the email.
    var sub: String
    /// The session: `sess_` and 24 random hex digits.
    var sid: String
    var iat: Int
    var nbf: Int
    var exp: Int
    var email: String
    var name: String
}

/// The JOSE header of a development session token.
struct SessionTokenHeader: Codable, Equatable, Sendable {
    var alg = "RS256"
    var kid: String
    var typ = "JWT"
}

/// A session token as sent (a compact JWT) and the claims it carries.
struct SignedSession: Sendable {
    var token: String
    var claims: SessionClaims
}
