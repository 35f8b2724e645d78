/// Applies the `migrations/` folder to a database: the one runner that the
/// emulator, the tests and the deployment all use.
///
/// Each file runs in its own transaction and is recorded, with its SHA-256,
/// in `kloudhub.schema_migrations`. Every transaction first takes a
/// transaction-level advisory lock, so runners started at once take turns
/// and each file is applied once; the lock ends with the transaction, so the
/// runner also works through a transaction-mode pooler. A file that changed
/// after it was applied is refused, by name, before anything runs.
///
/// Files must not contain BEGIN/COMMIT or statements that cannot run in a
/// transaction (`CREATE INDEX CONCURRENTLY`).
public struct MigrationRunner: Sendable {
    /// The advisory lock key that runners share (any fixed number would do).
    static let lockKey: Int64 = 0x6B6C_6F75_6468_7562

    /// The folder the files are read from.
    public let directory: String

    /// A runner for the `.sql` files of `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// What a run did.
    public struct Report: Sendable, Hashable {
        /// Files this run applied, in order.
        public var applied: [String] = []
        /// Files that were already applied (by an earlier or a concurrent run).
        public var alreadyApplied: [String] = []

        /// An empty report.
        public init() {}
    }

    /// Connects, applies what is pending, and disconnects.
    @discardableResult
    public func run(connectionString: String) throws -> Report {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(to: connectionString)
        } catch let error as PostgresError {
            throw MigrationError(.databaseError, underlying: error)
        }
        defer { connection.close() }
        return try run(on: connection)
    }

    /// Applies what is pending over an open connection (not in a transaction).
    @discardableResult
    public func run(on connection: PostgresConnection) throws -> Report {
        let migrations = try Migration.load(fromDirectory: directory)
        let applied = try inTransaction(on: connection, migration: nil) {
            try connection.execute("create schema if not exists kloudhub")
            try connection.execute(
                """
                create table if not exists kloudhub.schema_migrations (
                    version integer primary key,
                    file_name text not null,
                    checksum bytea not null,
                    applied_at timestamptz not null default now(),
                    applied_by text not null default current_user,
                    duration_ms integer not null
                )
                """)
            return try appliedChecksums(on: connection)
        }
        try verify(migrations, against: applied)
        var report = Report()
        for migration in migrations {
            if applied[migration.version] != nil {
                report.alreadyApplied.append(migration.fileName)
            } else if try apply(migration, on: connection) {
                report.applied.append(migration.fileName)
            } else {
                report.alreadyApplied.append(migration.fileName)
            }
        }
        return report
    }

    // MARK: - Steps

    /// Refuses changed, missing, renamed or out-of-order files.
    private func verify(_ migrations: [Migration], against applied: [Int: AppliedMigration]) throws {
        let files = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let file = files[version] else {
                throw MigrationError(.appliedMigrationMissing, migration: record.fileName)
            }
            guard file.checksum == record.checksum, file.fileName == record.fileName else {
                throw MigrationError(.changedMigration, migration: file.fileName)
            }
        }
        let latestApplied = applied.keys.max() ?? 0
        if let early = migrations.first(where: { applied[$0.version] == nil && $0.version < latestApplied }) {
            throw MigrationError(.outOfOrder, migration: early.fileName)
        }
    }

    /// Applies one file unless a concurrent runner did; returns whether this run applied it.
    private func apply(_ migration: Migration, on connection: PostgresConnection) throws -> Bool {
        try inTransaction(on: connection, migration: migration.fileName) {
            if let record = try appliedChecksums(on: connection)[migration.version] {
                guard record.checksum == migration.checksum else {
                    throw MigrationError(.changedMigration, migration: migration.fileName)
                }
                return false
            }
            let start = ContinuousClock.now
            do {
                try connection.executeScript(migration.sql)
            } catch let error as PostgresError {
                throw MigrationError(.migrationFailed, migration: migration.fileName, underlying: error)
            }
            let elapsed = ContinuousClock.now - start
            try connection.execute(
                """
                insert into kloudhub.schema_migrations (version, file_name, checksum, duration_ms)
                values (\(migration.version), \(migration.fileName), \(migration.checksum),
                        \(Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)))
                """)
            return true
        }
    }

    private struct AppliedMigration {
        let fileName: String
        let checksum: [UInt8]
    }

    private func appliedChecksums(on connection: PostgresConnection) throws -> [Int: AppliedMigration] {
        let rows = try connection.query("select version, file_name, checksum from kloudhub.schema_migrations")
        var applied: [Int: AppliedMigration] = [:]
        for row in rows {
            let (version, fileName, checksum) = try row.decode((Int, String, [UInt8]).self)
            applied[version] = AppliedMigration(fileName: fileName, checksum: checksum)
        }
        return applied
    }

    /// Runs `body` in a transaction holding the runners' advisory lock;
    /// database errors become ``MigrationError/Kind/databaseError``.
    private func inTransaction<Result>(
        on connection: PostgresConnection, migration: String?, _ body: () throws -> Result
    ) throws -> Result {
        do {
            try connection.execute("BEGIN")
            try connection.execute("select pg_advisory_xact_lock(\(Self.lockKey))")
            let result = try body()
            try connection.execute("COMMIT")
            return result
        } catch {
            if connection.isInTransaction { _ = try? connection.execute("ROLLBACK") }
            if let error = error as? PostgresError {
                throw MigrationError(.databaseError, migration: migration, underlying: error)
            }
            throw error
        }
    }
}
