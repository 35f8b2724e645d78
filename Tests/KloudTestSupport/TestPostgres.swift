import Foundation
import Glibc
import KloudCore
import KloudLocal
import Synchronization

/// The one Postgres cluster of a test process, started on first use.
///
/// Embedded by default: a throwaway cluster in `/tmp/kloudhub-test-postgres-<pid>`,
/// not durable (fsync off), stopped and deleted when the process exits;
/// clusters left by a process that died are cleaned up by the next one.
/// With `KLOUDHUB_TEST_DATABASE_URL`, an external server instead. Either way
/// a migrated template database is made once, and each suite's database is
/// a copy of it.
public actor TestPostgres {
    /// The process's cluster.
    public static let shared = TestPostgres()

    /// The template database every migrated test database is copied from.
    public static let templateName = "kloudhub_test_template"

    private static let directoryPrefix = "kloudhub-test-postgres-"

    /// A folder for a cluster of a test's own (one it restarts, say), named so
    /// that it is cleaned up like the shared one if the process dies.
    public static func privateClusterDirectory(label: String) -> String {
        NSTemporaryDirectory() + directoryPrefix + "\(getpid())-\(label)"
    }
    private var starting: Task<PostgresClusterSetup, any Error>?
    private var embedded: EmbeddedPostgres?

    /// The setup of the running cluster, starting it if needed.
    public func setup() async throws -> PostgresClusterSetup {
        if let starting { return try await starting.value }
        let task = Task { try await self.startCluster() }
        starting = task
        return try await task.value
    }

    private func startCluster() async throws -> PostgresClusterSetup {
        let setup: PostgresClusterSetup
        if let url = TestEnvironment.externalDatabaseURL {
            setup = PostgresClusterSetup(
                adminConnectionString: try PostgresConnectionString(url),
                migrationsDirectory: TestEnvironment.migrationsDirectory, passwordSeed: url,
                loginPrefix: "kloudhub_test_")
            try setup.prepareOwner()
            try setup.dropDatabase(named: Self.templateName)
        } else {
            Self.removeAbandonedClusters()
            let directory = NSTemporaryDirectory() + Self.directoryPrefix + String(getpid())
            let cluster = EmbeddedPostgres(
                configuration: .init(
                    dataDirectory: directory, migrationsDirectory: TestEnvironment.migrationsDirectory,
                    databaseName: "kloudhub_test", isDurable: false,
                    binaryDirectory: TestEnvironment.postgresBinaryDirectory))
            Self.registerCleanup(directory: directory, postmasterPID: nil)
            try await cluster.start()
            Self.registerCleanup(directory: directory, postmasterPID: Self.postmasterPID(in: directory))
            embedded = cluster
            setup = try await cluster.clusterSetup()
        }
        try setup.createDatabase(named: Self.templateName, applyingMigrations: false)
        try setup.prepare(database: Self.templateName)
        return setup
    }

    /// The embedded cluster, when the tests run one.
    public func embeddedCluster() -> EmbeddedPostgres? {
        embedded
    }

    // MARK: - Cleanup

    private struct Cleanup {
        var directory: String
        var postmasterPID: Int32?
    }

    private static let cleanup = Mutex<Cleanup?>(nil)

    private static func registerCleanup(directory: String, postmasterPID: Int32?) {
        let isFirst = cleanup.withLock { current in
            defer { current = Cleanup(directory: directory, postmasterPID: postmasterPID) }
            return current == nil
        }
        if isFirst {
            atexit {
                guard let cleanup = TestPostgres.cleanup.withLock({ $0 }) else { return }
                TestPostgres.stopAndRemove(directory: cleanup.directory, postmasterPID: cleanup.postmasterPID)
            }
        }
    }

    /// Stops a throwaway cluster at once (SIGQUIT: no need to flush it) and deletes it.
    private static func stopAndRemove(directory: String, postmasterPID: Int32?) {
        if let pid = postmasterPID ?? Self.postmasterPID(in: directory), kill(pid, SIGQUIT) == 0 {
            for _ in 0..<250 where kill(pid, 0) == 0 { usleep(20_000) }
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func postmasterPID(in directory: String) -> Int32? {
        let text = try? String(contentsOfFile: directory + "/pgdata/postmaster.pid", encoding: .utf8)
        return text?.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Removes clusters of test processes that no longer exist.
    private static func removeAbandonedClusters() {
        let temporary = NSTemporaryDirectory()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(directoryPrefix) {
            let digits = name.dropFirst(directoryPrefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                stopAndRemove(directory: temporary + name, postmasterPID: nil)
            }
        }
    }
}
