import Foundation
import KloudCore

extension TestDatabase {
    /// Every row, in any table of the schema, that names `account` in a uuid column, counted by
    /// `table.column`: what an erasure must leave empty. Read as the maintenance role, the one
    /// role that sees every account.
    public func rowsNaming(_ account: UUID) throws -> [String: Int] {
        let maintenance = client(as: .maintenance)
        let columns = try maintenance.query(
            """
            select c.relname::text, a.attname::text from pg_catalog.pg_attribute a
            join pg_catalog.pg_class c on c.oid = a.attrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'kloudhub' and c.relkind in ('r', 'p') and not c.relispartition
              and a.attnum > 0 and not a.attisdropped and a.atttypid = 'uuid'::regtype
            """
        ).decode((String, String).self)
        guard columns.count > 20 else { throw TestDatabaseError.noDatabaseTrait }
        var found: [String: Int] = [:]
        for (table, column) in columns {
            let count =
                try maintenance.query(
                    "select count(*) from kloudhub.\(identifier: table) where \(identifier: column) = \(account)"
                ).first?.decode(Int.self) ?? 0
            if count > 0 { found["\(table).\(column)"] = count }
        }
        return found
    }
}
