/// Why the embedded Postgres cluster could not start or be used.
public struct EmbeddedPostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// `initdb` or `postgres` is neither in the given folder, PATH, nor
        /// `/usr/lib/postgresql/*/bin` (Debian: `apt-get install postgresql`).
        case binariesNotFound
        /// Running as root needs the `postgres` system user and `setpriv`.
        case noUnprivilegedUser
        /// The `postgres` user cannot reach the data folder (a parent folder
        /// is closed to other users, like /root).
        case dataDirectoryUnreachable
        /// The cluster folder has files but no cluster.
        case dataDirectoryNotEmpty
        /// `initdb` failed.
        case initdbFailed
        /// `postgres` exited or did not become ready.
        case startFailed
        /// The cluster is not running.
        case notRunning
    }

    /// What went wrong.
    public var kind: Kind
    /// A path, or the tool's output, for the log.
    public var detail: String?

    /// Creates an error.
    public init(_ kind: Kind, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }

    /// The stable snake_case name of the error.
    public var code: String {
        switch kind {
        case .binariesNotFound: "binaries_not_found"
        case .noUnprivilegedUser: "no_unprivileged_user"
        case .dataDirectoryUnreachable: "data_directory_unreachable"
        case .dataDirectoryNotEmpty: "data_directory_not_empty"
        case .initdbFailed: "initdb_failed"
        case .startFailed: "start_failed"
        case .notRunning: "not_running"
        }
    }

    /// The code.
    public var description: String { "EmbeddedPostgresError(\(code))" }

    /// The code and the detail.
    public var debugDescription: String {
        detail.map { "\(description): \($0)" } ?? description
    }
}
