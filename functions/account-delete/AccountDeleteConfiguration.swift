import KloudCore

/// What the account-delete function is configured with, read once at init from its
/// environment: its manifest's settings (Clerk's verification settings, every bucket an erasure
/// empties and an export is written to) and the platform's.
struct AccountDeleteConfiguration {
    var platform: PlatformSettings
    var clerk: ClerkConfiguration?
    var buckets: [String: String]
    /// Whether an erasure job's `crashAfterStep` is honoured (the crash tests only).
    var allowsFaultInjection: Bool

    init(reading environment: inout EnvironmentReader) throws {
        platform = try PlatformSettings(reading: &environment)
        clerk = try ClerkConfiguration(reading: &environment)
        buckets = AccountStorage.buckets(reading: &environment)
        allowsFaultInjection = environment.isSet(.erasureFaultInjection, to: "allow")
    }
}
