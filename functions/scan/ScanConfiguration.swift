import KloudCore

/// What the scan function is configured with, read once at init from its environment: its
/// manifest's settings (Clerk's verification settings, the key that seals cloud credentials)
/// and the platform's.
struct ScanConfiguration {
    var platform: PlatformSettings
    var clerk: ClerkConfiguration?
    /// The KMS key cloud credentials are sealed with (PP-cloud).
    var credentialsKey: String

    init(reading environment: inout EnvironmentReader) throws {
        platform = try PlatformSettings(reading: &environment)
        clerk = try ClerkConfiguration(reading: &environment)
        credentialsKey = try environment.required(.credentialsKey, "the KMS key that seals cloud credentials")
    }
}
