import Crypto
import FoundationEssentials

/// The `deletion_records` table: opening an erasure, recording its steps and counts, and
/// completing it without personal data. Every call takes the transaction it belongs to, so a
/// step's changes and its record commit together.
enum DeletionRecords {
    /// The open (not completed) record of the account, if any.
    static func open(of accountID: UUID, in transaction: PostgresTransaction) throws -> DeletionRecord? {
        let rows = try transaction.query(
            """
            select id, reason, status, requested_at, erase_by, completed_at, progress, summary
            from kloudhub.deletion_records where account_id = \(accountID) and status <> 'completed'
            """)
        return try rows.first.map(decodeRecord)
    }

    /// Marks the account deleting (if it is still active) and opens its record (if none is open);
    /// returns the open record, nil when there is neither an account nor an open record.
    static func begin(
        _ accountID: UUID, reason: DeletionReason, at now: Date, in transaction: PostgresTransaction
    ) throws -> DeletionRecord? {
        try transaction.execute(
            """
            update kloudhub.accounts set status = 'deleting', deletion_requested_at = \(now), updated_at = \(now)
            where id = \(accountID) and status = 'active'
            """)
        try transaction.execute(
            """
            insert into kloudhub.deletion_records (account_id, reason, requested_at, erase_by, updated_at)
            select a.id, \(reason.rawValue), a.deletion_requested_at, a.deletion_requested_at + interval '30 days', \(now)
            from kloudhub.accounts a where a.id = \(accountID) and a.status = 'deleting'
            on conflict (account_id) where status <> 'completed' do nothing
            """)
        return try open(of: accountID, in: transaction)
    }

    /// Adds `counts` to the record's summary and marks it as being erased.
    static func add(_ counts: [String: Int], to record: UUID, at now: Date, in transaction: PostgresTransaction) throws
    {
        for (name, count) in counts.sorted(by: { $0.key < $1.key }) where count > 0 {
            try transaction.execute(
                """
                update kloudhub.deletion_records
                set summary = summary || jsonb_build_object(\(name)::text, coalesce((summary ->> \(name))::bigint, 0) + \(count)),
                    status = 'erasing', updated_at = \(now)
                where id = \(record)
                """)
        }
    }

    /// Records `step` as done.
    static func record(_ step: ErasureStep, of record: UUID, at now: Date, in transaction: PostgresTransaction) throws {
        try transaction.execute(
            """
            update kloudhub.deletion_records
            set progress = progress || jsonb_build_object(\(step.rawValue)::text, \(now)::timestamptz),
                status = 'erasing', updated_at = \(now)
            where id = \(record)
            """)
    }

    /// Completes the record: the account id replaced by SHA-256(salt ‖ id), the salt random.
    static func complete(
        _ record: UUID, accountID: UUID, at now: Date, in transaction: PostgresTransaction
    ) throws -> DeletionRecord? {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let rows = try transaction.query(
            """
            update kloudhub.deletion_records
            set account_id = null, account_id_salt = \(Data(salt)), account_id_hash = \(proof(of: accountID, salt: salt)),
                status = 'completed', completed_at = \(now), updated_at = \(now),
                progress = progress || jsonb_build_object(\(ErasureStep.recordCompleted.rawValue)::text, \(now)::timestamptz)
            where id = \(record) and status <> 'completed'
            returning id, reason, status, requested_at, erase_by, completed_at, progress, summary
            """)
        return try rows.first.map(decodeRecord)
    }

    /// The salted hash a completed record keeps of an account id (its lowercase text form).
    static func proof(of accountID: UUID, salt: [UInt8]) -> Data {
        Data(SHA256.hash(data: salt + Array(accountID.uuidString.lowercased().utf8)))
    }

    private static func decodeRecord(_ row: PostgresRow) throws -> DeletionRecord {
        let (id, reason, status, requestedAt, eraseBy, completedAt, progress, summary) = try row.decode(
            (UUID, String, String, Date, Date, Date?, PostgresJSON, PostgresJSON).self)
        let steps = (try? progress.decode([String: String].self))?.keys.compactMap(ErasureStep.init(rawValue:)) ?? []
        return DeletionRecord(
            id: id, reason: reason, status: status, requestedAt: requestedAt, eraseBy: eraseBy,
            completedAt: completedAt, steps: steps.sorted(), counts: (try? summary.decode([String: Int].self)) ?? [:])
    }
}
