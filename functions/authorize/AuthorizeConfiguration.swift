import KloudCore

/// What the authorize function is configured with, read once at init from its environment: its
/// manifest's settings (the public URL; Clerk's verification, sign-in and webhook settings; the
/// function name prefix, to hand erasures to account-delete) and the platform's.
struct AuthorizeConfiguration {
    var platform: PlatformSettings
    var oauth: OAuthSettings
    var clerk: ClerkConfiguration?
    /// Where a person who is not signed in is sent.
    var signInURL: String?
    /// The `whsec_` secret Clerk signs its webhooks with; without it webhooks are refused.
    var webhookSecret: String?
    var functionNamePrefix: String
    /// Whether Client ID Metadata Documents may come from loopback http (tests only).
    var allowsLoopbackClientMetadata: Bool

    init(reading environment: inout EnvironmentReader) throws {
        platform = try PlatformSettings(reading: &environment)
        oauth = try OAuthSettings(reading: &environment)
        clerk = try ClerkConfiguration(reading: &environment)
        signInURL = environment.value(.clerkSignInURL)
        webhookSecret = environment.value(.clerkWebhookSecret)
        functionNamePrefix = FunctionName.prefix(reading: &environment)
        allowsLoopbackClientMetadata = environment.isSet(.loopbackClientMetadata, to: "allow")
    }
}
