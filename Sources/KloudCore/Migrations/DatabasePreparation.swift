import FoundationEssentials

/// Takes a database to a working KloudHub database, the same way on Supabase, on RDS and on
/// this machine: the migrations applied as the owner, then a login user for each app role
/// (api, worker, maintenance), a member of that role's group role, with the password of the
/// connection string the functions will use and no role-level settings (nothing may depend on
/// one: a pooler or another installation would not carry it). Idempotent: run it again after
/// every deployment, or after a password changed in a secret.
///
/// The owner must be able to create roles (Supabase's `postgres`, RDS's master user, the
/// embedded cluster's owner); it creates the group roles in migration 0001 and so may grant
/// them.
public struct DatabasePreparation: Sendable {
    /// One app role's login user: the name and password its connection string carries.
    public struct Login: Sendable, Equatable {
        public var role: DatabaseRole
        public var user: String
        public var password: String

        public init(role: DatabaseRole, user: String, password: String) {
            self.role = role
            self.user = user
            self.password = password
        }

        /// The login a role's connection string names. `username` (an RDS secret's field) wins
        /// over the string's user. Supabase's pooler takes `ROLE.PROJECT_REF` as its user name,
        /// where the database role is `ROLE`.
        public init(role: DatabaseRole, connectionString: String, username: String? = nil) throws(MigrationError) {
            let parsed: PostgresConnectionString
            do {
                parsed = try PostgresConnectionString(connectionString)
            } catch {
                throw MigrationError(.invalidLogin, migration: role.rawValue)
            }
            guard var user = username ?? parsed["user"], !user.isEmpty, let password = parsed["password"],
                !password.isEmpty
            else { throw MigrationError(.invalidLogin, migration: role.rawValue) }
            if username == nil, let host = parsed["host"], host.hasSuffix(".pooler.supabase.com"),
                let dot = user.lastIndex(of: ".")
            {
                user = String(user[..<dot])
            }
            self.init(role: role, user: user, password: password)
        }
    }

    /// What a preparation did.
    public struct Report: Sendable, Equatable {
        public var migrations = MigrationRunner.Report()
        /// Login users created by this run (the others existed and were brought up to date).
        public var createdLogins: [String] = []
        public var updatedLogins: [String] = []
    }

    /// The owner's connection string (a direct or session-mode connection).
    public let ownerConnectionString: String
    public let logins: [Login]
    public let migrationsDirectory: String

    public init(ownerConnectionString: String, logins: [Login], migrationsDirectory: String) {
        self.ownerConnectionString = ownerConnectionString
        self.logins = logins
        self.migrationsDirectory = migrationsDirectory
    }

    /// Applies the migrations, then makes or updates every login user.
    @discardableResult
    public func run() throws -> Report {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(to: ownerConnectionString)
        } catch let error as PostgresError {
            throw MigrationError(.databaseError, underlying: error)
        }
        defer { connection.close() }
        var report = Report()
        report.migrations = try MigrationRunner(directory: migrationsDirectory).run(on: connection)
        // One transaction under the runners' lock: two preparations at once take turns.
        do {
            try connection.execute("BEGIN")
            try connection.execute("select pg_catalog.pg_advisory_xact_lock(\(MigrationRunner.lockKey))")
            for login in logins {
                if try Self.prepare(login, on: connection) {
                    report.createdLogins.append(login.user)
                } else {
                    report.updatedLogins.append(login.user)
                }
            }
            try connection.execute("COMMIT")
        } catch {
            if connection.isInTransaction { _ = try? connection.execute("ROLLBACK") }
            if let error = error as? PostgresError { throw MigrationError(.databaseError, underlying: error) }
            throw error
        }
        return report
    }

    /// Makes `login` a login user of its group role only, with its password (sent as a SCRAM
    /// verifier computed here, so the password itself never reaches the server or its logs);
    /// returns whether it was created.
    static func prepare(_ login: Login, on connection: PostgresConnection) throws -> Bool {
        guard let group = login.role.groupRoleName else { throw MigrationError(.invalidLogin, migration: "owner") }
        do {
            let verifier = try connection.passwordVerifier(for: login.user, password: login.password)
            let exists = try !connection.query("select 1 from pg_catalog.pg_roles where rolname = \(login.user)")
                .isEmpty
            if exists {
                try connection.execute("alter role \(identifier: login.user) with login password \(literal: verifier)")
            } else {
                try connection.execute("create role \(identifier: login.user) login password \(literal: verifier)")
            }
            try connection.execute("grant \(identifier: group) to \(identifier: login.user)")
            for other in DatabaseRole.allCases where other != login.role {
                guard let otherGroup = other.groupRoleName else { continue }
                let isMember =
                    try connection.query(
                        "select pg_catalog.pg_has_role(\(login.user), \(otherGroup), 'member')"
                    ).first?.decode(Bool.self) ?? false
                if isMember {
                    try connection.execute("revoke \(identifier: otherGroup) from \(identifier: login.user)")
                }
            }
            try connection.execute("alter role \(identifier: login.user) reset all")
            return !exists
        } catch let error as PostgresError {
            throw MigrationError(.databaseError, migration: login.user, underlying: error)
        }
    }

    // MARK: - From the secrets infra/ makes

    /// The preparation the Secrets Manager secrets `PREFIX/owner`, `PREFIX/api`, `PREFIX/worker`
    /// and `PREFIX/maintenance` describe (what infra/ makes: JSON with `url`, and with RDS
    /// `username`), read with `aws`'s credentials.
    public static func fromSecrets(
        prefix: String, aws: AWSConfiguration, httpClient: HTTPClient, migrationsDirectory: String
    ) async throws -> DatabasePreparation {
        let secrets = SecretsManagerClient(configuration: aws, httpClient: httpClient)
        var trimmed = prefix
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        func read(_ role: DatabaseRole) async throws -> DatabaseSecret.Contents {
            let text = try await secrets.secretString(id: "\(trimmed)/\(role.rawValue)")
            guard let secret = try? DatabaseSecret.contents(of: text) else {
                throw MigrationError(.invalidLogin, migration: role.rawValue)
            }
            return secret
        }
        let owner = try await read(.owner)
        var logins: [Login] = []
        for role in [DatabaseRole.api, .worker, .maintenance] {
            let secret = try await read(role)
            logins.append(try Login(role: role, connectionString: secret.url, username: secret.username))
        }
        return DatabasePreparation(
            ownerConnectionString: owner.url, logins: logins, migrationsDirectory: migrationsDirectory)
    }
}
