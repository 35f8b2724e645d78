import FoundationEssentials

/// The erasure of one account (PP-delete, PP-cloud): the ``ErasureStep``s in order, each
/// recorded in the account's deletion record, resumable after a crash at any point and
/// idempotent under duplicate delivery. account-delete runs it; the retention sweep finishes
/// any it left. Connects as the maintenance role.
public struct AccountErasure: Sendable {
    /// What a run achieved.
    public enum Outcome: Sendable, Equatable {
        /// Every step is done; the record, completed.
        case completed(DeletionRecord)
        /// Time ran out, or the run was asked to stop early; the record so far.
        case unfinished(DeletionRecord)
        /// Neither the account nor an open erasure of it exists (already erased, or never was).
        case nothingToErase
    }

    /// The maintenance role's client.
    public let database: PostgresClient
    /// KloudHub's buckets, where the account's objects are.
    public let storage: AccountStorage
    /// Rows deleted per transaction.
    public var batchSize: Int
    private let now: @Sendable () -> Date

    /// Creates an erasure; `now` is the clock its records are dated by.
    public init(
        database: PostgresClient, storage: AccountStorage, batchSize: Int = 5000,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.storage = storage
        self.batchSize = batchSize
        self.now = now
    }

    /// Starts the erasure: marks the account deleting, opens its record and ends access at once
    /// (the first step). Returns the open record; nil if there is nothing to erase.
    public func begin(accountID: UUID, reason: DeletionReason) throws -> DeletionRecord? {
        try opened(accountID: accountID, reason: reason)?.record
    }

    /// ``begin(accountID:reason:)``, telling whether this call revoked access or an earlier one did.
    private func opened(accountID: UUID, reason: DeletionReason) throws -> (record: DeletionRecord, isNew: Bool)? {
        let time = now()
        return try database.transaction { transaction in
            guard let record = try DeletionRecords.begin(accountID, reason: reason, at: time, in: transaction) else {
                return nil
            }
            guard !record.isDone(.accessRevoked) else { return (record, false) }
            try revokeAccess(accountID, record: record.id, at: time, in: transaction)
            return try DeletionRecords.open(of: accountID, in: transaction).map { ($0, true) }
        }
    }

    /// Runs the steps not yet done, in order, until all are done, `deadline` comes, or the step
    /// `last` is done; `didRecord` hears of each step this run completed as its record commits
    /// (fault injection in tests stops the process there).
    public func resume(
        accountID: UUID, reason: DeletionReason, through last: ErasureStep = .recordCompleted,
        deadline: WorkDeadline, didRecord: @Sendable (ErasureStep) -> Void = { _ in }
    ) async throws -> Outcome {
        guard let start = try opened(accountID: accountID, reason: reason) else { return .nothingToErase }
        var record = start.record
        if start.isNew { didRecord(.accessRevoked) }
        for step in ErasureStep.allCases where step <= last && !record.isDone(step) {
            guard deadline.hasTimeLeft else { return .unfinished(record) }
            let isDone: Bool
            switch step {
            case .accessRevoked: isDone = true
            case .cloudAccessEnded: isDone = try endCloudAccess(accountID, record: record.id)
            case .objectsDeleted: isDone = try await deleteObjects(accountID, record: record.id, deadline: deadline)
            case .rowsDeleted: isDone = try deleteRows(accountID, record: record.id, deadline: deadline)
            case .recordCompleted:
                let time = now()
                let completed = try database.transaction {
                    try DeletionRecords.complete(record.id, accountID: accountID, at: time, in: $0)
                }
                guard let completed else { return .nothingToErase }
                didRecord(.recordCompleted)
                return .completed(completed)
            }
            let current = try database.transaction { try DeletionRecords.open(of: accountID, in: $0) } ?? record
            guard isDone else { return .unfinished(current) }
            record = current
            didRecord(step)
        }
        return .unfinished(record)
    }

    // MARK: - Steps

    private func revokeAccess(
        _ accountID: UUID, record: UUID, at time: Date, in transaction: PostgresTransaction
    )
        throws
    {
        let keys = try transaction.execute(
            "update kloudhub.api_keys set revoked_at = \(time) where account_id = \(accountID) and revoked_at is null")
        let codes = try transaction.execute("delete from kloudhub.oauth_codes where account_id = \(accountID)")
        try DeletionRecords.add(
            ["keys_revoked": keys, "oauth_codes_deleted": codes], to: record, at: time, in: transaction)
        try DeletionRecords.record(.accessRevoked, of: record, at: time, in: transaction)
    }

    private func endCloudAccess(_ accountID: UUID, record: UUID) throws -> Bool {
        let time = now()
        try database.transaction { transaction in
            // Every cloud account of the account, whatever its state: the maintenance role may write
            // the credential columns but never read them, not even to test them for NULL.
            let disconnected = try transaction.execute(
                """
                update kloudhub.cloud_accounts
                set credential_ciphertext = null, encrypted_data_key = null, external_id = null, status = 'disconnected',
                    disconnected_at = coalesce(disconnected_at, \(time)), updated_at = \(time)
                where account_id = \(accountID)
                """)
            let scans = try transaction.execute(
                """
                update kloudhub.scans set status = 'cancelled', finished_at = \(time)
                where account_id = \(accountID) and status in ('queued', 'running')
                """)
            let deployments = try transaction.execute(
                """
                update kloudhub.deployments set status = 'cancelled', finished_at = \(time), updated_at = \(time)
                where account_id = \(accountID) and status in ('queued', 'running')
                """)
            try DeletionRecords.add(
                [
                    "cloud_accounts_disconnected": disconnected, "scans_cancelled": scans,
                    "deployments_cancelled": deployments,
                ], to: record, at: time, in: transaction)
            try DeletionRecords.record(.cloudAccessEnded, of: record, at: time, in: transaction)
        }
        return true
    }

    private func deleteObjects(_ accountID: UUID, record: UUID, deadline: WorkDeadline) async throws -> Bool {
        for bucket in storage.buckets.values.sorted() {
            while true {
                guard deadline.hasTimeLeft else { return false }
                let deleted = try await storage.deleteObjects(of: accountID, inBucket: bucket)
                guard deleted > 0 else { break }
                let time = now()
                try database.transaction {
                    try DeletionRecords.add(["objects_deleted": deleted], to: record, at: time, in: $0)
                }
            }
        }
        let time = now()
        try database.transaction { try DeletionRecords.record(.objectsDeleted, of: record, at: time, in: $0) }
        return true
    }

    /// Tables holding an account's rows, children before parents; whatever a later migration
    /// adds goes with the account row itself (every account table cascades from `accounts`).
    static let accountTables = [
        "waste_findings", "resources", "notifications", "analyses", "shells", "deployments", "scans", "kloud_files",
        "klouds", "api_keys", "oauth_codes", "cloud_accounts",
    ]

    private func deleteRows(_ accountID: UUID, record: UUID, deadline: WorkDeadline) throws -> Bool {
        for table in Self.accountTables {
            while true {
                guard deadline.hasTimeLeft else { return false }
                let time = now()
                let deleted = try database.transaction { transaction in
                    let deleted = try transaction.execute(
                        """
                        delete from kloudhub.\(identifier: table) where id in (
                            select id from kloudhub.\(identifier: table) where account_id = \(accountID) limit \(batchSize))
                        """)
                    try DeletionRecords.add(["\(table)_deleted": deleted], to: record, at: time, in: transaction)
                    return deleted
                }
                if deleted < batchSize { break }
            }
        }
        while true {
            guard deadline.hasTimeLeft else { return false }
            let time = now()
            let anonymized = try database.transaction { transaction in
                let anonymized = try transaction.execute(
                    """
                    update kloudhub.request_log set account_id = null
                    where (id, occurred_at) in (
                        select id, occurred_at from kloudhub.request_log where account_id = \(accountID) limit \(batchSize))
                    """)
                try DeletionRecords.add(
                    ["request_log_rows_anonymized": anonymized], to: record, at: time, in: transaction)
                return anonymized
            }
            if anonymized < batchSize { break }
        }
        let time = now()
        try database.transaction { transaction in
            let accounts = try transaction.execute("delete from kloudhub.accounts where id = \(accountID)")
            try DeletionRecords.add(["accounts_deleted": accounts], to: record, at: time, in: transaction)
            try DeletionRecords.record(.rowsDeleted, of: record, at: time, in: transaction)
        }
        return true
    }
}
