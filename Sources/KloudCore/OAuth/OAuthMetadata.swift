import FoundationEssentials

/// Authorization server metadata (RFC 8414), with what MCP clients look for.
public struct AuthorizationServerMetadata: Codable, Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var registrationEndpoint: String
    public var revocationEndpoint: String
    public var scopesSupported: [String]
    public var responseTypesSupported = ["code"]
    public var responseModesSupported = ["query"]
    public var grantTypesSupported = ["authorization_code", "refresh_token"]
    public var tokenEndpointAuthMethodsSupported = ["none", "client_secret_basic", "client_secret_post"]
    public var revocationEndpointAuthMethodsSupported = ["none", "client_secret_basic", "client_secret_post"]
    public var codeChallengeMethodsSupported = ["S256"]
    public var authorizationResponseIssParameterSupported = true
    public var clientIdMetadataDocumentSupported = true

    public init(settings: OAuthSettings) {
        issuer = settings.issuer
        authorizationEndpoint = settings.authorizationEndpoint
        tokenEndpoint = settings.tokenEndpoint
        registrationEndpoint = settings.registrationEndpoint
        revocationEndpoint = settings.revocationEndpoint
        scopesSupported = Scope.allCases.map(\.rawValue)
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case registrationEndpoint = "registration_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case scopesSupported = "scopes_supported"
        case responseTypesSupported = "response_types_supported"
        case responseModesSupported = "response_modes_supported"
        case grantTypesSupported = "grant_types_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
        case clientIdMetadataDocumentSupported = "client_id_metadata_document_supported"
    }
}

/// Protected resource metadata (RFC 9728) of the MCP endpoint.
public struct ProtectedResourceMetadata: Codable, Sendable, Equatable {
    public var resource: String
    public var authorizationServers: [String]
    public var scopesSupported: [String]
    public var bearerMethodsSupported = ["header"]
    public var resourceName = "KloudHub"

    public init(settings: OAuthSettings) {
        resource = settings.mcpResource
        authorizationServers = [settings.issuer]
        scopesSupported = Scope.allCases.map(\.rawValue)
    }

    enum CodingKeys: String, CodingKey {
        case resource
        case authorizationServers = "authorization_servers"
        case scopesSupported = "scopes_supported"
        case bearerMethodsSupported = "bearer_methods_supported"
        case resourceName = "resource_name"
    }
}
