import FoundationEssentials
import Logging

/// The privacy policy's retention numbers, kept by code (PP-codes, PP-revoke, PP-logs,
/// PP-delete, PP-notify), and the bounds of anonymous client registration: run every 15 minutes
/// by retention-sweep, as the maintenance role.
///
/// Every rule (``SweepRule``) works in bounded batches (one transaction each, nothing held in
/// memory), is idempotent, and checks the deadline before each batch, so a sweep that runs out
/// of time stops cleanly and the next one continues. Each rule runs whatever another did: one
/// that fails is named in the report and the next one runs. A dry run counts what each rule
/// would remove and changes nothing.
public struct RetentionSweep: Sendable {
    /// How long things are kept.
    public enum Limits {
        /// Revoked or expired keys and OAuth tokens are purged this long after.
        public static let keyRetention: TimeInterval = 90 * 86_400
        /// Request logs are kept at most this long.
        public static let logRetention: TimeInterval = 90 * 86_400
        /// An erasure with no progress for this long is taken over by the sweep.
        public static let stalledErasure: TimeInterval = 15 * 60
        /// Request log partitions kept ready ahead, in days (from yesterday).
        public static let partitionsAhead = 9
        /// A dynamically registered client unused for longer (never used: since its
        /// registration) is deleted, unless a live token or an unexpired code still names it.
        public static let unusedClient: TimeInterval = 30 * 86_400
        /// A deleted Clerk user's hash is kept this long: longer than any of its session
        /// tokens can live, so none makes a new account.
        public static let erasedClerkUser: TimeInterval = 30 * 86_400
    }

    public let database: PostgresClient
    /// Finishes erasures that account-delete left.
    public let erasure: AccountErasure
    /// Sends notifications whose send failed or was lost (PP-notify); nil where none can be sent.
    public let outbox: NotificationOutbox?
    /// Rows per transaction.
    public var batchSize: Int
    private let now: @Sendable () -> Date

    public init(
        database: PostgresClient, erasure: AccountErasure, outbox: NotificationOutbox? = nil, batchSize: Int = 10_000,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.erasure = erasure
        self.outbox = outbox
        self.batchSize = batchSize
        self.now = now
    }

    /// Runs every rule once, unless another sweep holds the lock. A rule that fails is named in
    /// the report's failures (and logged with its detail); the rules after it run all the same.
    public func run(
        isDryRun: Bool, deadline: WorkDeadline, maximumHold: Duration, logger: Logger
    ) async throws
        -> SweepReport
    {
        guard
            let lock = try SweepLock.acquire(
                connectionString: database.configuration.connectionString, maximumHold: maximumHold)
        else {
            logger.info("sweep skipped", metadata: ["reason": "another sweep holds the lock"])
            return SweepReport(isDryRun: isDryRun, hasLock: false, isComplete: false)
        }
        defer { lock.release() }
        var report = SweepReport(isDryRun: isDryRun)
        let time = now()
        if isDryRun {
            report.counts = try countDue(at: time)
        } else {
            await sweep(at: time, deadline: deadline, logger: logger, into: &report)
        }
        var metadata: Logger.Metadata = ["dryRun": "\(isDryRun)", "complete": "\(report.isComplete)"]
        for (rule, count) in report.counts { metadata[rule] = "\(count)" }
        for (rule, code) in report.failures { metadata["failed_" + rule.rawValue] = "\(code)" }
        logger.log(level: report.failures.isEmpty ? .info : .error, "sweep finished", metadata: metadata)
        return report
    }

    // MARK: - Rules

    /// Runs the rules in order until the deadline; a rule's failure is recorded and the next
    /// rule runs.
    private func sweep(at time: Date, deadline: WorkDeadline, logger: Logger, into report: inout SweepReport) async {
        for rule in SweepRule.allCases {
            guard deadline.hasTimeLeft else {
                report.isComplete = false
                return
            }
            do {
                guard try await run(rule, at: time, deadline: deadline, logger: logger, into: &report.counts) else {
                    report.isComplete = false
                    return
                }
            } catch {
                report.isComplete = false
                report.failures[rule] = SweepRule.failureCode(for: error)
                logger.error(
                    "sweep rule failed",
                    metadata: ["rule": "\(rule.rawValue)", "error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Runs one rule; false if the deadline stopped it first. Throws when it failed, having
    /// counted what it did.
    private func run(
        _ rule: SweepRule, at time: Date, deadline: WorkDeadline, logger: Logger, into counts: inout [String: Int]
    ) async throws -> Bool {
        let keyCutoff = time.addingTimeInterval(-Limits.keyRetention)
        switch rule {
        case .oauthCodes:
            // Consumed codes stay until they expire (ten minutes at most), so a replayed code is
            // still recognized and revokes what it issued (OAuth 2.1 section 4.1.3).
            return try delete(
                ExpiredRows(table: "oauth_codes", column: "expires_at", cutoff: time),
                into: &counts["oauth_codes_deleted", default: 0], deadline: deadline)
        case .apiKeys:
            let revoked = ExpiredRows(table: "api_keys", column: "revoked_at", cutoff: keyCutoff)
            guard try delete(revoked, into: &counts["api_keys_purged", default: 0], deadline: deadline) else {
                return false
            }
            let expired = ExpiredRows(
                table: "api_keys", column: "expires_at", cutoff: keyCutoff, condition: .notRevoked)
            return try delete(expired, into: &counts["api_keys_purged", default: 0], deadline: deadline)
        case .requestLogs:
            return try trimRequestLogs(at: time, deadline: deadline, into: &counts)
        case .registrationBudgets:
            return try delete(
                ExpiredRows(
                    table: "registration_budgets", column: "window_start",
                    cutoff: time.addingTimeInterval(-RegistrationBudget.window)),
                into: &counts["registration_budgets_deleted", default: 0], deadline: deadline)
        case .unusedOAuthClients:
            return try deleteUnusedClients(
                at: time, deadline: deadline, into: &counts["oauth_clients_deleted", default: 0])
        case .accountErasures:
            let pass = try await finishErasures(at: time, deadline: deadline, logger: logger, into: &counts)
            if let failure = pass.firstFailure { throw failure }
            return pass.isFinished
        case .erasedClerkUsers:
            let cutoff = time.addingTimeInterval(-Limits.erasedClerkUser)
            let statement: PostgresQuery = """
                delete from kloudhub.erased_clerk_users where clerk_user_hash in (
                    select clerk_user_hash from kloudhub.erased_clerk_users where erased_at <= \(cutoff)
                    limit \(batchSize))
                """
            return try drain(statement, into: &counts["erased_clerk_users_deleted", default: 0], deadline: deadline)
        case .notifications:
            guard let outbox else { return true }
            let pass = try await outbox.sendDue(limit: 200) { deadline.hasTimeLeft }
            counts["notifications_sent"] = pass.sent
            counts["notifications_not_sent"] = pass.refused
            counts["notifications_abandoned"] = pass.abandoned
            return deadline.hasTimeLeft
        }
    }

    /// PP-logs: partitions made a week ahead, whole days past 90 dropped, and the rows past 90
    /// days of the day that straddles the cutoff deleted; false if the deadline stopped it first.
    private func trimRequestLogs(at time: Date, deadline: WorkDeadline, into counts: inout [String: Int]) throws -> Bool
    {
        let logCutoff = time.addingTimeInterval(-Limits.logRetention)
        counts["request_log_partitions_created"] = try scalar(
            """
            select kloudhub.create_request_log_partitions((\(time) at time zone 'UTC')::date - 1, \(Int32(Limits.partitionsAhead)))
            """)
        counts["request_log_partitions_dropped"] = try scalar(
            "select kloudhub.drop_request_log_partitions((\(logCutoff) at time zone 'UTC')::date)")
        // The partition that straddles the cutoff keeps no row past 90 days either.
        let trim: PostgresQuery = """
            delete from kloudhub.request_log where (id, occurred_at) in (
                select id, occurred_at from kloudhub.request_log where occurred_at < \(logCutoff) limit \(batchSize))
            """
        return try drain(trim, into: &counts["request_log_rows_deleted", default: 0], deadline: deadline)
    }

    /// Runs `statement` in its own transaction until it affects fewer than a batch; false if the
    /// deadline stopped it first.
    func drain(_ statement: PostgresQuery, into total: inout Int, deadline: WorkDeadline) throws -> Bool {
        while deadline.hasTimeLeft {
            let affected = try database.execute(statement)
            total += affected
            if affected < batchSize { return true }
        }
        return false
    }

    private func scalar(_ query: PostgresQuery) throws -> Int {
        try database.query(query).first?.decode(Int.self) ?? 0
    }
}
