import KloudCore

/// What the token function is configured with, read once at init from its environment: its
/// manifest's settings (the public URL, Clerk's verification settings) and the platform's.
struct TokenConfiguration {
    var platform: PlatformSettings
    var oauth: OAuthSettings
    var clerk: ClerkConfiguration?

    init(reading environment: inout EnvironmentReader) throws {
        platform = try PlatformSettings(reading: &environment)
        oauth = try OAuthSettings(reading: &environment)
        clerk = try ClerkConfiguration(reading: &environment)
    }
}
