import KloudCore

/// What the mcp function is configured with, read once at init from its environment: its
/// manifest's settings (the public URL, the browser origins it also serves, the function name
/// prefix, to hand scans and deployments to their functions) and the platform's.
struct MCPConfiguration {
    var platform: PlatformSettings
    var oauth: OAuthSettings
    /// Origins besides the public URL's that may call `/mcp` from a browser.
    var allowedOrigins: [String]
    var functionNamePrefix: String

    init(reading environment: inout EnvironmentReader) throws {
        platform = try PlatformSettings(reading: &environment)
        oauth = try OAuthSettings(reading: &environment)
        allowedOrigins = (environment.value(.mcpAllowedOrigins) ?? "").split(separator: ",")
            .map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        functionNamePrefix = FunctionName.prefix(reading: &environment)
    }
}
