import Foundation
import KloudTestSupport
import Testing

@testable import KloudCore

/// The one preparation of a production database (Supabase, RDS, this machine's): migrations,
/// then login users that carry nothing but a password and one group role.
@Suite struct DatabasePreparationTests {
    /// Login users of this test's own (they belong to the whole cluster), with random passwords.
    private static func logins(_ label: String) -> [DatabasePreparation.Login] {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return [DatabaseRole.api, .worker, .maintenance].map { role in
            DatabasePreparation.Login(
                role: role, user: "prep_\(label)_\(role.rawValue)_\(suffix)", password: UUID().uuidString)
        }
    }

    private func connectionString(
        of login: DatabasePreparation.Login, to database: TestDatabase, password: String? = nil
    ) throws -> String {
        try PostgresConnectionString(database.connectionString(for: .owner))
            .setting(["user": login.user, "password": password ?? login.password]).conninfo
    }

    @Test func takesAnEmptyDatabaseToAWorkingOneWithNoSearchPath() async throws {
        let database = try await TestDatabase.create(label: "preparation", contents: .empty)
        defer { try? database.drop() }
        let logins = Self.logins("fresh")

        let report = try DatabasePreparation(
            ownerConnectionString: database.connectionString(for: .owner), logins: logins,
            migrationsDirectory: TestEnvironment.migrationsDirectory
        ).run()

        #expect(!report.migrations.applied.isEmpty)
        #expect(report.createdLogins == logins.map(\.user))
        let api = PostgresClient(
            configuration: .init(connectionString: try connectionString(of: logins[0], to: database)))
        let searchPath = try api.query("select current_setting('search_path')").first?.decode(String.self)
        #expect(searchPath == "\"$user\", public")
        let account = try AccountDirectory(database: api).upsert(
            clerkUserID: "user_prep", email: "prep@example.com", name: "Prep")
        #expect(try AccountDirectory(database: api).find(clerkUserID: "user_prep") == account)
    }

    @Test func givesEachLoginItsOneGroupRoleAndNoSettings() async throws {
        let database = try await TestDatabase.create(label: "preparation_roles", contents: .empty)
        defer { try? database.drop() }
        let logins = Self.logins("roles")
        let preparation = DatabasePreparation(
            ownerConnectionString: database.connectionString(for: .owner), logins: logins,
            migrationsDirectory: TestEnvironment.migrationsDirectory)
        try preparation.run()
        let owner = try database.connection(as: .owner)
        defer { owner.close() }
        // A login left with a setting and a second group role by hand, as an operator might.
        try owner.execute("alter role \(identifier: logins[0].user) set search_path = kloudhub, public")
        try owner.execute("grant kloudhub_maintenance to \(identifier: logins[0].user)")

        let again = try preparation.run()

        #expect(again.migrations.applied.isEmpty)
        #expect(again.createdLogins.isEmpty && again.updatedLogins == logins.map(\.user))
        for login in logins {
            let groups = try owner.query(
                """
                select g.rolname::text from pg_auth_members m
                join pg_roles g on g.oid = m.roleid join pg_roles u on u.oid = m.member
                where u.rolname = \(login.user)
                """
            ).decode(String.self)
            #expect(groups == [login.role.groupRoleName!], "\(login.user)")
            let settings = try owner.query(
                "select count(*) from pg_db_role_setting s join pg_roles u on u.oid = s.setrole where u.rolname = \(login.user)"
            ).first?.decode(Int.self)
            #expect(settings == 0, "\(login.user)")
        }
    }

    @Test func aChangedPasswordReplacesTheOldOne() async throws {
        let database = try await TestDatabase.create(label: "preparation_passwords", contents: .empty)
        defer { try? database.drop() }
        var logins = Self.logins("passwords")
        let old = logins[1].password
        try DatabasePreparation(
            ownerConnectionString: database.connectionString(for: .owner), logins: logins,
            migrationsDirectory: TestEnvironment.migrationsDirectory
        ).run()
        logins[1].password = UUID().uuidString

        try DatabasePreparation(
            ownerConnectionString: database.connectionString(for: .owner), logins: logins,
            migrationsDirectory: TestEnvironment.migrationsDirectory
        ).run()

        let viaTCP = { (password: String) throws -> String in
            try PostgresConnectionString(try connectionString(of: logins[1], to: database, password: password))
                .setting(["host": "127.0.0.1"]).conninfo
        }
        #expect(throws: PostgresError.self) { try PostgresConnection.connect(to: viaTCP(old)).close() }
        try PostgresConnection.connect(to: viaTCP(logins[1].password)).close()
    }

    @Test func namesTheLoginAsTheSecretDoes() throws {
        let direct = try DatabasePreparation.Login(
            role: .api, connectionString: "postgresql://kloudhub_api_prod:s3cret@db.example.com:5432/kloudhub")
        let pooled = try DatabasePreparation.Login(
            role: .worker,
            connectionString:
                "postgresql://kloudhub_worker_prod.abcdefghijklmnop:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"
        )
        let rds = try DatabasePreparation.Login(
            role: .maintenance, connectionString: "postgresql://ignored:pw@proxy.example.com/kloudhub",
            username: "kloudhub_production_maintenance")

        #expect(direct == .init(role: .api, user: "kloudhub_api_prod", password: "s3cret"))
        #expect(pooled.user == "kloudhub_worker_prod")
        #expect(rds.user == "kloudhub_production_maintenance")
        #expect(throws: MigrationError.self) {
            try DatabasePreparation.Login(role: .api, connectionString: "postgresql://nopassword@db.example.com/k")
        }
        #expect(throws: MigrationError.self) {
            try DatabasePreparation.Login(role: .api, connectionString: "not a url")
        }
    }

    /// What `kloudhub-local migrate --secrets` does in AWS: the four secrets infra/ makes (an RDS
    /// one naming its user apart) read from Secrets Manager, and the database prepared from them.
    @Test func preparesADatabaseFromTheSecretsInfraMakes() async throws {
        let database = try await TestDatabase.create(label: "preparation_secrets", contents: .empty)
        defer { try? database.drop() }
        let moto = try await MotoServer.shared.endpoint()
        let secrets = SecretsManagerClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let prefix = uniqueName("kloudhub-test") + "/database"
        let logins = Self.logins("secrets")
        let owner = try PostgresConnectionString(database.connectionString(for: .owner)).setting(["host": "127.0.0.1"])
        func put(_ role: String, _ value: [String: String]) async throws {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
            _ = try await secrets.putSecret(name: "\(prefix)/\(role)", text: text)
        }
        try await put("owner", ["url": owner.conninfo])
        for login in logins {
            let url = owner.setting([
                "user": login.role == .maintenance ? "named-apart" : login.user, "password": login.password,
            ])
            var secret = ["url": url.conninfo]
            if login.role == .maintenance { secret["username"] = login.user }
            try await put(login.role.rawValue, secret)
        }

        let preparation = try await DatabasePreparation.fromSecrets(
            prefix: prefix + "/", aws: try moto.configuration(), httpClient: HTTPClient(),
            migrationsDirectory: TestEnvironment.migrationsDirectory)
        let report = try preparation.run()

        #expect(!report.migrations.applied.isEmpty)
        #expect(Set(report.createdLogins) == Set(logins.map(\.user)))
        for login in logins {
            let connection = try PostgresConnection.connect(
                to: owner.setting(["user": login.user, "password": login.password]).conninfo)
            connection.close()
        }
    }

    @Test func aMissingSecretStopsThePreparationBeforeAnythingChanges() async throws {
        let moto = try await MotoServer.shared.endpoint()

        await #expect(throws: AWSError.self) {
            try await DatabasePreparation.fromSecrets(
                prefix: uniqueName("nothing-here"), aws: try moto.configuration(), httpClient: HTTPClient(),
                migrationsDirectory: TestEnvironment.migrationsDirectory)
        }
    }
}
