import Foundation

/// Paths and settings the tests take from the package layout or the environment.
///
/// - `KLOUDHUB_TEST_DATABASE_URL`: a superuser connection to an external
///   server; the tests then use it instead of starting their own cluster.
/// - `KLOUDHUB_MIGRATIONS_DIR`: the migrations folder, if not the package's
///   `migrations/`.
/// - `KLOUDHUB_POSTGRES_BIN`: the folder of `initdb` and `postgres`, if not
///   found in PATH or `/usr/lib/postgresql/<version>/bin`.
public enum TestEnvironment {
    /// The package's root folder, found from this file's place in it.
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .path

    /// The migrations folder.
    public static var migrationsDirectory: String {
        environment("KLOUDHUB_MIGRATIONS_DIR") ?? packageRoot + "/migrations"
    }

    /// The external server's superuser URL, if one is configured.
    public static var externalDatabaseURL: String? {
        environment("KLOUDHUB_TEST_DATABASE_URL")
    }

    /// The folder of the Postgres binaries, if configured.
    public static var postgresBinaryDirectory: String? {
        environment("KLOUDHUB_POSTGRES_BIN")
    }

    private static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
