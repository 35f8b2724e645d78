import FoundationEssentials

/// Where KloudHub's authorization server and MCP resource live, and how long what it issues
/// lasts. All URLs derive from `KLOUDHUB_PUBLIC_URL`, the API's origin, so the metadata, the
/// `iss` of every redirect and the tokens' audience always agree.
public struct OAuthSettings: Sendable {
    /// The API's origin, without a trailing slash: the authorization server's `issuer`.
    public let issuer: String
    public var codeLifetime: Duration = .seconds(600)
    public var accessTokenLifetime: Duration = .seconds(3600)
    public var refreshTokenLifetime: Duration = .seconds(30 * 24 * 3600)

    public init(publicURL: String) throws(ConfigurationError) {
        var origin = publicURL
        while origin.hasSuffix("/") { origin.removeLast() }
        guard let url = URL(string: origin), let scheme = url.scheme, url.host != nil,
            scheme == "https" || (scheme == "http" && RedirectURI.isLoopbackHost(url.host ?? "")),
            url.query == nil, url.fragment == nil
        else {
            throw ConfigurationError(
                variable: "KLOUDHUB_PUBLIC_URL", reason: "must be an https origin (http only on a loopback host)")
        }
        issuer = origin
    }

    /// The settings of a function's `KLOUDHUB_PUBLIC_URL`.
    public init(reading environment: inout EnvironmentReader) throws(ConfigurationError) {
        try self.init(publicURL: environment.required(.publicURL, "set it to the API's public origin"))
    }

    /// The MCP endpoint: the resource (RFC 8707) every OAuth token is bound to.
    public var mcpResource: String { issuer + "/mcp" }
    /// The protected-resource metadata of the MCP endpoint (RFC 9728), named in 401 challenges.
    public var resourceMetadataURL: String { issuer + "/.well-known/oauth-protected-resource/mcp" }
    public var authorizationEndpoint: String { issuer + "/oauth/authorize" }
    public var tokenEndpoint: String { issuer + "/oauth/token" }
    public var registrationEndpoint: String { issuer + "/oauth/register" }
    public var revocationEndpoint: String { issuer + "/oauth/revoke" }
}

/// Rules for redirect URIs: https, or http on a loopback host (native and CLI clients).
public enum RedirectURI {
    public static let maximumLength = 2048

    /// Whether `text` may be registered as a redirect URI.
    public static func isAcceptable(_ text: String) -> Bool {
        guard text.utf8.count <= maximumLength, !text.contains("#"), text.allSatisfy({ !$0.isWhitespace }),
            let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            url.user == nil, url.password == nil
        else { return false }
        return scheme == "https" || (scheme == "http" && isLoopbackHost(host))
    }

    public static func isLoopbackHost(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
