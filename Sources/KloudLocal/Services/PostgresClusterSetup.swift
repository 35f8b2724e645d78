import Crypto
import Foundation
import KloudCore

/// Makes a Postgres cluster ready for KloudHub: an owner login that runs the
/// migrations (what Supabase's `postgres` or RDS's master user is in AWS), and
/// databases prepared by ``DatabasePreparation``, the code that prepares a
/// production database: migrations and one login user per app role.
///
/// Used by ``EmbeddedPostgres`` and, against an external server, by the
/// tests. Needs a superuser connection. Passwords are derived from a seed,
/// so every process that shares the seed computes the same ones.
public struct PostgresClusterSetup: Sendable {
    /// A superuser's connection to the cluster's `postgres` database.
    public let adminConnectionString: PostgresConnectionString
    /// The `migrations/` folder.
    public let migrationsDirectory: String
    /// What login user names start with.
    public let loginPrefix: String
    private let passwordSeed: String

    /// Creates a setup.
    ///
    /// - Parameters:
    ///   - adminConnectionString: A superuser's connection.
    ///   - migrationsDirectory: The folder of migration files.
    ///   - passwordSeed: A secret the login users' passwords are derived from.
    ///   - loginPrefix: The start of each login user's name.
    public init(
        adminConnectionString: PostgresConnectionString, migrationsDirectory: String, passwordSeed: String,
        loginPrefix: String = "kloudhub_local_"
    ) {
        self.adminConnectionString = adminConnectionString
        self.migrationsDirectory = migrationsDirectory
        self.passwordSeed = passwordSeed
        self.loginPrefix = loginPrefix
    }

    /// The login user of a role, such as `kloudhub_local_api`.
    public func loginName(for role: DatabaseRole) -> String {
        loginPrefix + role.rawValue
    }

    /// The password of a role's login user.
    public func password(for role: DatabaseRole) -> String {
        let digest = SHA256.hash(data: Array("\(passwordSeed):\(loginName(for: role))".utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// A connection string for a role's login user to a database.
    public func connectionString(for role: DatabaseRole, database: String) -> PostgresConnectionString {
        adminConnectionString.setting([
            "user": loginName(for: role), "password": password(for: role), "dbname": database,
        ])
    }

    // MARK: - Roles

    /// Creates (or updates) the owner login: it may create roles (the first
    /// migration creates the group roles) and owns the databases.
    public func prepareOwner() throws {
        try withAdminConnection { connection in
            try upsertLogin(.owner, attributes: "login createrole", on: connection)
        }
    }

    /// The login user of each app role, as the functions' connection strings name them.
    public var logins: [DatabasePreparation.Login] {
        DatabaseRole.allCases.filter { $0 != .owner }.map { role in
            DatabasePreparation.Login(role: role, user: loginName(for: role), password: password(for: role))
        }
    }

    /// The preparation of `database`: its migrations and the login users, as the owner.
    public func preparation(database: String, migrationsDirectory: String) -> DatabasePreparation {
        DatabasePreparation(
            ownerConnectionString: connectionString(for: .owner, database: database).conninfo, logins: logins,
            migrationsDirectory: migrationsDirectory)
    }

    private func upsertLogin(_ role: DatabaseRole, attributes: String, on connection: PostgresConnection) throws {
        let name = loginName(for: role)
        let exists = try !connection.query("select 1 from pg_roles where rolname = \(name)").isEmpty
        let verb = exists ? "alter" : "create"
        try connection.execute(
            "\(unsafeRaw: verb) role \(identifier: name) \(unsafeRaw: attributes) password \(literal: password(for: role))"
        )
    }

    // MARK: - Databases

    /// Creates a database owned by the owner login, unless it exists, and
    /// applies the migrations to it. With a template, the database starts as
    /// a copy of it (fast, and identical to it).
    @discardableResult
    public func createDatabase(
        named name: String, template: String? = nil, applyingMigrations: Bool = true
    ) throws -> MigrationRunner.Report {
        try withAdminConnection { connection in
            let exists = try !connection.query("select 1 from pg_database where datname = \(name)").isEmpty
            guard !exists else { return }
            let owner = loginName(for: .owner)
            if let template {
                try connection.execute(
                    "create database \(identifier: name) owner \(identifier: owner) template \(identifier: template)")
            } else {
                try connection.execute("create database \(identifier: name) owner \(identifier: owner)")
            }
        }
        guard applyingMigrations else { return MigrationRunner.Report() }
        return try migrate(database: name)
    }

    /// Applies pending migrations to a database, as the owner.
    @discardableResult
    public func migrate(database: String) throws -> MigrationRunner.Report {
        try MigrationRunner(directory: migrationsDirectory)
            .run(connectionString: connectionString(for: .owner, database: database).conninfo)
    }

    /// Prepares a database as a production one is prepared (``DatabasePreparation``): its
    /// migrations, then the login users. Login users belong to the whole cluster: prepare one
    /// database of a cluster at a time.
    @discardableResult
    public func prepare(database: String) throws -> DatabasePreparation.Report {
        try preparation(database: database, migrationsDirectory: migrationsDirectory).run()
    }

    /// Drops a database, ending its sessions first.
    public func dropDatabase(named name: String) throws {
        try withAdminConnection { connection in
            try connection.execute("drop database if exists \(identifier: name) with (force)")
        }
    }

    @discardableResult
    private func withAdminConnection<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        let connection = try PostgresConnection.connect(to: adminConnectionString.conninfo)
        defer { connection.close() }
        return try body(connection)
    }
}
