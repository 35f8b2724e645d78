/// Why migrations could not be applied.
public struct MigrationError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The migrations folder (or a file in it) could not be read.
        case unreadableDirectory
        /// A `.sql` file's name is not `NNNN_lowercase_name.sql`.
        case invalidFileName
        /// Two files have the same version.
        case duplicateVersion
        /// A file that was already applied has changed since.
        case changedMigration
        /// A migration recorded as applied has no file any more.
        case appliedMigrationMissing
        /// A new file has a lower version than one already applied.
        case outOfOrder
        /// A file's SQL failed; nothing of it was applied.
        case migrationFailed
        /// The database refused the runner's own bookkeeping.
        case databaseError
        /// A role's connection string names no user or password (`migration` names the role).
        case invalidLogin
    }

    /// What went wrong.
    public var kind: Kind
    /// The file (or folder) concerned.
    public var migration: String?
    /// The database error behind it, if any.
    public var underlying: PostgresError?

    /// Creates an error.
    public init(_ kind: Kind, migration: String? = nil, underlying: PostgresError? = nil) {
        self.kind = kind
        self.migration = migration
        self.underlying = underlying
    }

    /// The stable snake_case name of the error.
    public var code: String {
        switch kind {
        case .unreadableDirectory: "unreadable_directory"
        case .invalidFileName: "invalid_file_name"
        case .duplicateVersion: "duplicate_version"
        case .changedMigration: "changed_migration"
        case .appliedMigrationMissing: "applied_migration_missing"
        case .outOfOrder: "out_of_order"
        case .migrationFailed: "migration_failed"
        case .databaseError: "database_error"
        case .invalidLogin: "invalid_login"
        }
    }

    /// The code and the file name.
    public var description: String {
        var text = "MigrationError(\(code)"
        if let migration { text += ": \(migration)" }
        if let underlying { text += ", \(underlying)" }
        return text + ")"
    }

    /// The description and the database error's detail.
    public var debugDescription: String {
        guard let underlying else { return description }
        return description + "; " + underlying.debugDescription
    }
}
