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
}

extension RetentionSweep {
    /// The smallest key, before every (timestamp, id).
    private static let start = (Date.distantPast, UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))

    /// Deletes the rows a batch per transaction, walking the table's `(column, id)` index from
    /// the last key deleted; false if the deadline stopped it first.
    ///
    /// Each batch reads the next keys from where the last batch ended (an index-only scan that
    /// never meets the entries of rows already deleted) and deletes those rows by id. A `LIMIT`
    /// subquery inside the DELETE would walk every earlier batch's dead entries again, and a
    /// sequential scan per batch would read the whole table each time: both grow with the square
    /// of the batches.
    func delete(_ rows: ExpiredRows, into total: inout Int, deadline: WorkDeadline) throws -> Bool {
        var last = Self.start
        let table = rows.table
        let column = rows.column
        let extra = rows.condition == .notRevoked ? "revoked_at is null and " : ""
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
