import FoundationEssentials

/// The rows of a table whose timestamp column is at or before a cutoff: what a retention rule
/// deletes.
struct ExpiredRows: Sendable {
    /// A fixed extra condition on the rows.
    enum Condition: Sendable {
        case none
        /// Only rows never revoked (`revoked_at is null`).
        case notRevoked
    }

    var table: String
    var column: String
    var cutoff: Date
    var condition: Condition = .none

    /// The condition as SQL, ending in `and` when there is one.
    var extraCondition: String { condition == .notRevoked ? "revoked_at is null and " : "" }
}

extension RetentionSweep {
    /// The smallest key, before every (timestamp, id).
    private static let start = (Date.distantPast, UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))

    /// Deletes the rows a batch per transaction; false if the deadline stopped it first.
    ///
    /// When at least a tenth of the table is due, the table is read once in physical order, a
    /// range of pages per transaction (a TID range scan): as one bare DELETE reads it, and the
    /// batches cost little more. When fewer are due, reading every page each sweep would cost
    /// more than finding the few, and the `(column, id)` index is walked instead.
    func delete(_ rows: ExpiredRows, into total: inout Int, deadline: WorkDeadline) throws -> Bool {
        let (livePages, liveRows) =
            try database.query(
                """
                select greatest(relpages, 1)::bigint, greatest(reltuples, 0)::bigint from pg_class
                where oid = \("kloudhub." + rows.table)::regclass
                """
            ).first?.decode((Int, Int).self) ?? (1, 0)
        let probe = max(batchSize, liveRows / 10)
        let due =
            try database.query(
                """
                select count(*)::bigint from (select 1 from kloudhub.\(identifier: rows.table)
                where \(unsafeRaw: rows.extraCondition)\(identifier: rows.column) <= \(rows.cutoff) limit \(probe)) due
                """
            ).first?.decode(Int.self) ?? 0
        guard due >= probe, liveRows > 0 else { return try deleteByIndex(rows, into: &total, deadline: deadline) }
        return try deleteByPages(
            rows, pagesPerBatch: max(1, batchSize * livePages / liveRows), into: &total, deadline: deadline)
    }

    /// Deletes page range after page range, up to the table's last page when it began (rows
    /// added since are not due).
    private func deleteByPages(
        _ rows: ExpiredRows, pagesPerBatch: Int, into total: inout Int, deadline: WorkDeadline
    ) throws -> Bool {
        let pages =
            try database.query(
                """
                select (pg_relation_size(\("kloudhub." + rows.table)::regclass)
                        / current_setting('block_size')::int)::bigint
                """
            ).first?.decode(Int.self) ?? 0
        var first = 0
        while first < pages {
            guard deadline.hasTimeLeft else { return false }
            let end = first + pagesPerBatch
            // By ctid, which the maintenance role may not read: purge_page_range (0013) does it.
            total +=
                try database.query(
                    """
                    select kloudhub.purge_page_range(\(rows.table), \(rows.column), \(rows.cutoff), \(first), \(end),
                                                     \(rows.condition == .notRevoked))
                    """
                ).first?.decode(Int.self) ?? 0
            first = end
        }
        return true
    }

    /// Deletes the rows a batch per transaction, walking the table's `(column, id)` index from
    /// the last key deleted; false if the deadline stopped it first.
    ///
    /// Each batch reads the next keys from where the last batch ended (an index-only scan that
    /// never meets the entries of rows already deleted) and deletes those rows by id. A `LIMIT`
    /// subquery inside the DELETE would walk every earlier batch's dead entries again, and a
    /// sequential scan per batch would read the whole table each time: both grow with the square
    /// of the batches.
    private func deleteByIndex(_ rows: ExpiredRows, into total: inout Int, deadline: WorkDeadline) throws -> Bool {
        var last = Self.start
        let table = rows.table
        let column = rows.column
        let extra = rows.extraCondition
        while deadline.hasTimeLeft {
            let keys = try database.query(
                """
                select \(identifier: column), id from kloudhub.\(identifier: table)
                where \(unsafeRaw: extra)\(identifier: column) <= \(rows.cutoff)
                  and (\(identifier: column), id) > (\(last.0), \(last.1))
                order by \(identifier: column), id limit \(batchSize)
                """
            ).decode((Date, UUID).self)
            guard let lastKey = keys.last else { return true }
            // By primary key: asked for 10,000 ids of a large table, the planner would scan it all.
            total += try database.transaction { transaction in
                try transaction.execute("select set_config('enable_seqscan', 'off', true)")
                return try transaction.execute(
                    "delete from kloudhub.\(identifier: table) where id = any(\(keys.map(\.1)))")
            }
            if keys.count < batchSize { return true }
            last = lastKey
        }
        return false
    }
}
