import Foundation
import Glibc
import KloudCore

/// A private PostgreSQL cluster for the emulator and the tests.
///
/// `start()` runs `initdb` into the data folder the first time, starts
/// `postgres` on a free loopback port with its Unix socket inside the data
/// folder, waits until it accepts connections, creates the owner and a login
/// user per role, and applies the migrations to the main database. `stop()`
/// shuts it down. Run as root (as CI is), `initdb` and `postgres` refuse to
/// start, so they run as the `postgres` system user (via `setpriv`) and the
/// data folder is given to that user.
///
/// Layout of the data folder: `pgdata/` (the cluster), `run/` (the socket),
/// `postgres.log`, and `secret` (the seed of the login users' passwords).
/// Over the socket any user connects without a password (only the folder's
/// owner can reach it); over TCP each login user has its password.
public actor EmbeddedPostgres {
    /// Where the cluster lives and how it runs.
    public struct Configuration: Sendable {
        /// The data folder; created if missing.
        public var dataDirectory: String
        /// The `migrations/` folder.
        public var migrationsDirectory: String
        /// The database created and migrated on start.
        public var databaseName: String
        /// The port; `nil` picks a free one on first start and keeps it.
        public var port: Int?
        /// Whether writes are flushed to disk; turn off for tests (faster,
        /// and a crash loses only a throwaway cluster).
        public var isDurable: Bool
        /// The folder of `initdb` and `postgres`; `nil` looks in PATH, then
        /// in `/usr/lib/postgresql/<newest>/bin`.
        public var binaryDirectory: String?

        /// Creates a configuration.
        public init(
            dataDirectory: String, migrationsDirectory: String, databaseName: String = "kloudhub",
            port: Int? = nil, isDurable: Bool = true, binaryDirectory: String? = nil
        ) {
            self.dataDirectory = dataDirectory
            self.migrationsDirectory = migrationsDirectory
            self.databaseName = databaseName
            self.port = port
            self.isDurable = isDurable
            self.binaryDirectory = binaryDirectory
        }
    }

    /// How a client reaches the server.
    public enum Transport: Sendable {
        /// The Unix socket in the data folder (no password needed).
        case unixSocket
        /// TCP on 127.0.0.1, with the login user's password.
        case tcp
    }

    /// The configuration.
    public let configuration: Configuration
    private var server: ChildProcess?
    private var chosenPort: Int?
    private var setup: PostgresClusterSetup?

    /// Creates a cluster; nothing happens until ``start()``.
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.chosenPort = configuration.port
    }

    /// The port the server listens on, once started.
    public var port: Int? { chosenPort }

    /// Whether the server process is running.
    public var isRunning: Bool { server?.isRunning ?? false }

    // MARK: - Paths

    private var dataDirectory: String { configuration.dataDirectory }
    private var clusterDirectory: String { dataDirectory + "/pgdata" }
    private var logPath: String { dataDirectory + "/postgres.log" }

    /// The socket folder: `run/` in the data folder, or a short folder in
    /// /tmp when that path is too long for a socket address (107 bytes).
    public nonisolated var socketDirectory: String {
        let preferred = configuration.dataDirectory + "/run"
        if preferred.utf8.count + "/.s.PGSQL.65535".utf8.count < 104 { return preferred }
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in preferred.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return "/tmp/kloudhub-pg-" + String(hash, radix: 36)
    }

    // MARK: - Lifecycle

    /// Initializes the cluster if needed, starts it, and prepares roles and
    /// the main database. Does nothing if already running.
    public func start() async throws {
        guard !isRunning else { return }
        let binaries = try PostgresBinaries.locate(in: configuration.binaryDirectory)
        let account = try ServerAccount.current()
        try prepareDirectories(for: account)
        if !FileManager.default.fileExists(atPath: clusterDirectory + "/PG_VERSION") {
            try initializeCluster(binaries: binaries, account: account)
        }
        try await launchServer(binaries: binaries, account: account)
        let setup = PostgresClusterSetup(
            adminConnectionString: adminConnectionString(), migrationsDirectory: configuration.migrationsDirectory,
            passwordSeed: try passwordSeed())
        try setup.prepareOwner()
        try setup.createDatabase(named: configuration.databaseName, applyingMigrations: false)
        try setup.prepare(database: configuration.databaseName)
        self.setup = setup
    }

    /// Stops the server: a fast shutdown (SIGINT: sessions are ended,
    /// everything is flushed), then SIGQUIT, then SIGKILL if it does not
    /// exit in time. Postgres reads SIGTERM as a "smart" shutdown that waits
    /// for every client to disconnect, which would hang on idle pooled
    /// connections, so SIGINT is its clean stop.
    public func stop() async {
        guard let server, server.isRunning else {
            self.server = nil
            return
        }
        for (signal, patience) in [(SIGINT, 15), (SIGQUIT, 5), (SIGKILL, 5)] {
            server.send(signal)
            if await server.waitForExit(within: .seconds(patience)) { break }
        }
        self.server = nil
    }

    /// Stops and starts the server on the same port (for reconnection tests).
    public func restart() async throws {
        await stop()
        try await start()
    }

    // MARK: - Connections and databases

    /// A connection string for a role's login user.
    public func connectionString(
        for role: DatabaseRole, database: String? = nil, transport: Transport = .unixSocket
    ) throws -> String {
        let setup = try requireSetup()
        var string = setup.connectionString(for: role, database: database ?? configuration.databaseName)
        if transport == .tcp { string["host"] = "127.0.0.1" }
        return string.conninfo
    }

    /// The setup the cluster was prepared with.
    public func clusterSetup() throws -> PostgresClusterSetup {
        try requireSetup()
    }

    /// Creates a migrated database (copied from `template` when given).
    public func createDatabase(named name: String, template: String? = nil) throws {
        try requireSetup().createDatabase(named: name, template: template)
    }

    /// Drops a database, ending its sessions.
    public func dropDatabase(named name: String) throws {
        try requireSetup().dropDatabase(named: name)
    }

    private func requireSetup() throws -> PostgresClusterSetup {
        guard let setup, isRunning else { throw EmbeddedPostgresError(.notRunning) }
        return setup
    }

    private func adminConnectionString() -> PostgresConnectionString {
        PostgresConnectionString(parameters: [
            "host": socketDirectory, "port": String(chosenPort ?? 5432), "user": "postgres", "dbname": "postgres",
        ])
    }

    // MARK: - Steps

    private func prepareDirectories(for account: ServerAccount) throws {
        let fileManager = FileManager.default
        for directory in [dataDirectory, socketDirectory] {
            // Folders above the data folder keep the usual permissions: the server's own user
            // must be able to pass through them when it is not the caller.
            try fileManager.createDirectory(
                atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fileManager.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard let owner = account.switchTo else { return }
        try ServerAccount.checkReachable(dataDirectory, by: owner)
        for directory in [dataDirectory, socketDirectory] {
            try ServerAccount.changeOwner(ofTree: directory, to: owner)
        }
    }

    private func initializeCluster(binaries: PostgresBinaries, account: ServerAccount) throws {
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: clusterDirectory)) ?? []
        guard contents.isEmpty else { throw EmbeddedPostgresError(.dataDirectoryNotEmpty, detail: clusterDirectory) }
        var arguments = ["-D", clusterDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"]
        if !configuration.isDurable { arguments.append("--no-sync") }
        let output = try account.run(binaries.initdb, arguments)
        guard output.status == 0 else { throw EmbeddedPostgresError(.initdbFailed, detail: output.text) }
        let rules = """
            # Written by EmbeddedPostgres: the socket lives in a folder only its
            # owner can enter; TCP needs the login user's password.
            local all all trust
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256

            """
        try rules.write(toFile: clusterDirectory + "/pg_hba.conf", atomically: true, encoding: .utf8)
        if let owner = account.switchTo {
            try ServerAccount.changeOwner(ofTree: clusterDirectory + "/pg_hba.conf", to: owner)
        }
    }

    private func launchServer(binaries: PostgresBinaries, account: ServerAccount) async throws {
        // A port picked here may be taken before postgres binds it; try again.
        for attempt in 1...3 {
            let port = try chosenPort ?? Self.freeLoopbackPort()
            let process = try startProcess(binaries: binaries, account: account, port: port)
            if try await waitUntilReady(process, port: port) {
                server = process
                chosenPort = port
                return
            }
            if configuration.port != nil || chosenPort != nil || attempt == 3 { break }
        }
        throw EmbeddedPostgresError(.startFailed, detail: logTail())
    }

    private func startProcess(binaries: PostgresBinaries, account: ServerAccount, port: Int) throws -> ChildProcess {
        var arguments = [
            "-D", clusterDirectory, "-p", String(port), "-k", socketDirectory,
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_permissions=0700",
            "-c", "max_connections=300", "-c", "timezone=UTC",
        ]
        if !configuration.isDurable {
            arguments += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        }
        let command = account.command(binaries.postgres, arguments)
        return try ChildProcess.spawn(
            executable: command.executable, arguments: command.arguments, environment: command.environment,
            workingDirectory: "/", output: .file(logPath))
    }

    /// Waits up to 60 s for the server to accept connections; false if it exited.
    private func waitUntilReady(_ process: ChildProcess, port: Int) async throws -> Bool {
        let probe = PostgresConnectionString(parameters: [
            "host": socketDirectory, "port": String(port), "user": "postgres", "dbname": "postgres",
        ]).conninfo
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { return false }
            if PostgresConnection.isServerAccepting(connectionString: probe) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.send(SIGKILL)
        throw EmbeddedPostgresError(.startFailed, detail: "not ready after 60 s\n" + logTail())
    }

    /// The seed of the login users' passwords, made once per data folder.
    private func passwordSeed() throws -> String {
        let path = dataDirectory + "/secret"
        if let seed = try? String(contentsOfFile: path, encoding: .utf8), !seed.isEmpty { return seed }
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
            .joined()
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(seed.utf8), attributes: [.posixPermissions: 0o600])
        return seed
    }

    private func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }
}
