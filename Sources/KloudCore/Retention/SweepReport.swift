import FoundationEssentials

/// What one retention sweep did (or, in a dry run, would do), rule by rule.
public struct SweepReport: Sendable, Equatable, Codable {
    /// Whether this was a dry run that only counted.
    public var isDryRun: Bool
    /// False when another sweep held the lock, so this one did nothing.
    public var hasLock: Bool
    /// False when the deadline stopped the sweep before every rule was done, or a rule failed;
    /// the next sweep continues.
    public var isComplete: Bool
    /// Counts by rule: `oauth_codes_deleted`, `api_keys_purged`, `request_log_partitions_created`,
    /// `request_log_partitions_dropped`, `request_log_rows_deleted`,
    /// `registration_budgets_deleted`, `oauth_clients_deleted`, `erased_clerk_users_deleted`,
    /// `erasures_started`, `erasures_completed`, `erasures_unfinished` (stopped by the deadline),
    /// `erasures_failed`, and the outbox's `notifications_sent`, `notifications_not_sent`
    /// (refused again, or taken by another sender) and `notifications_abandoned` (left mid-send;
    /// never repeated).
    public var counts: [String: Int]
    /// The rules that failed, each with a stable code (``SweepRule/failureCode(for:)``); the
    /// detail is in the log. The other rules ran all the same.
    public var failures: [SweepRule: String]

    enum CodingKeys: String, CodingKey {
        case isDryRun = "dryRun"
        case hasLock = "lockAcquired"
        case isComplete = "complete"
        case counts
        case failures
    }

    public init(
        isDryRun: Bool, hasLock: Bool = true, isComplete: Bool = true, counts: [String: Int] = [:],
        failures: [SweepRule: String] = [:]
    ) {
        self.isDryRun = isDryRun
        self.hasLock = hasLock
        self.isComplete = isComplete
        self.counts = counts
        self.failures = failures
    }
}
