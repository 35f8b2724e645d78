import KloudCore

/// What the retention-sweep function is configured with, read once at init from its
/// environment: its manifest's settings (every bucket an erasure empties, the notification
/// sender) and the platform's.
struct RetentionSweepConfiguration {
    var platform: PlatformSettings
    var buckets: [String: String]
    var notificationSender: String?

    init(reading environment: inout EnvironmentReader) throws {
        platform = try PlatformSettings(reading: &environment)
        buckets = AccountStorage.buckets(reading: &environment)
        notificationSender = environment.value(.notificationSender)
    }
}
