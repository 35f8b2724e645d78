import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// Acting as account A, every way to reach account B's rows gets zero rows
/// or a refusal (PP-scope), for every account-owned table and both roles
/// that serve requests.
@Suite(.database) struct IsolationAttackTests {
    /// What an attempt got.
    enum Outcome: Equatable, CustomStringConvertible {
        case rows(Int)
        case refused(PostgresError.Kind)

        var isHarmless: Bool {
            switch self {
            case .rows(let count): count == 0
            case .refused(let kind): kind == .permissionDenied || kind == .foreignKeyViolation
            }
        }

        var description: String {
            switch self {
            case .rows(let count): "\(count) rows"
            case .refused(let kind): "refused (\(kind))"
            }
        }
    }

    static let scopedRoles: [DatabaseRole] = [.api, .worker]

    /// A harmless assignment for each table, to attempt updates with.
    static let assignments: [AccountOwnedTable: String] = [
        .accounts: "name = name", .oauthCodes: "consumed_at = now()", .apiKeys: "revoked_at = now()",
        .cloudAccounts: "updated_at = now()", .klouds: "updated_at = now()", .kloudFiles: "updated_at = now()",
        .deployments: "updated_at = now()", .scans: "error_code = 'x'", .resources: "name = 'x'",
        .wasteFindings: "updated_at = now()", .analyses: "model = 'x'", .shells: "last_active_at = now()",
        .notifications: "attempts = attempts + 1", .requestLog: "status = 500", .deletionRecords: "progress = '{}'",
    ]

    /// Tables whose rows reference other account-owned rows.
    static let referencingTables: [AccountOwnedTable] = [
        .kloudFiles, .deployments, .scans, .resources, .wasteFindings, .shells,
    ]

    private let database: TestDatabase
    private let a: AccountFixture
    private let b: AccountFixture
    private let clients: [DatabaseRole: PostgresClient]

    init() async throws {
        let database = try TestDatabase.required()
        self.database = database
        (a, b) = try await Accounts.shared.pair(in: database)
        clients = Dictionary(uniqueKeysWithValues: DatabaseRole.allCases.map { ($0, database.client(as: $0)) })
    }

    /// Accounts A and B, inserted once per suite database: every attack
    /// leaves them as they were, or a test fails.
    private actor Accounts {
        static let shared = Accounts()
        private var pairs: [String: (AccountFixture, AccountFixture)] = [:]

        func pair(in database: TestDatabase) throws -> (AccountFixture, AccountFixture) {
            if let pair = pairs[database.name] { return pair }
            let pair = (
                try AccountFixture.insert(into: database, label: "a"),
                try AccountFixture.insert(into: database, label: "b")
            )
            pairs[database.name] = pair
            return pair
        }
    }

    private func attempt(
        as role: DatabaseRole, scope: UUID?, _ query: PostgresQuery, counting: Bool = true
    ) -> Outcome {
        let client = clients[role]!
        do {
            let rows =
                try scope.map { account in try client.transaction(scopedTo: account) { try $0.query(query) } }
                ?? client.transaction { try $0.query(query) }
            return .rows(counting ? try rows.first?.decode(Int.self) ?? 0 : rows.affectedRowCount)
        } catch let error as PostgresError {
            return .refused(error.kind)
        } catch {
            Issue.record("unexpected \(error)")
            return .rows(-1)
        }
    }

    // MARK: - The attacks

    @Test(arguments: AccountOwnedTable.allCases, scopedRoles)
    func cannotReadAnotherAccountsRows(table: AccountOwnedTable, role: DatabaseRole) {
        let name = table.qualifiedName
        let column = table.accountColumn
        let attempts: [PostgresQuery] = [
            "select count(*) from \(unsafeRaw: name) where id = \(b.id(in: table))",
            "select count(*) from \(unsafeRaw: name) where \(unsafeRaw: column) = \(b.accountID)",
            "select count(*) from \(unsafeRaw: name) where \(unsafeRaw: column) <> \(a.accountID)",
            "select count(*) from \(unsafeRaw: name) where id = any(\([b.id(in: table), UUID(), UUID()]))",
        ]
        #expect(attempt(as: .maintenance, scope: nil, attempts[0]) == .rows(1), "B's row exists")

        for query in attempts {
            let outcome = attempt(as: role, scope: a.accountID, query)
            #expect(outcome.isHarmless, "\(role) as A: \(query.sql) gave \(outcome)")
        }
    }

    @Test(arguments: AccountOwnedTable.allCases, scopedRoles)
    func cannotUpdateAnotherAccountsRows(table: AccountOwnedTable, role: DatabaseRole) {
        let name = table.qualifiedName
        let assignment = Self.assignments[table]!

        let update = attempt(
            as: role, scope: a.accountID,
            "update \(unsafeRaw: name) set \(unsafeRaw: assignment) where id = \(b.id(in: table))", counting: false)
        let takeOver = attempt(
            as: role, scope: a.accountID,
            "update \(unsafeRaw: name) set \(unsafeRaw: table.accountColumn) = \(b.accountID) where id = \(a.id(in: table))",
            counting: false)

        #expect(update.isHarmless, "\(role) as A updating B's \(name): \(update)")
        #expect(takeOver.isHarmless, "\(role) as A moving its \(name) row to B: \(takeOver)")
    }

    @Test(arguments: AccountOwnedTable.allCases, scopedRoles)
    func cannotDeleteAnotherAccountsRows(table: AccountOwnedTable, role: DatabaseRole) {
        let outcome = attempt(
            as: role, scope: a.accountID, "delete from \(unsafeRaw: table.qualifiedName) where id = \(b.id(in: table))",
            counting: false)

        #expect(outcome.isHarmless, "\(role) as A deleting B's \(table): \(outcome)")
        #expect(
            attempt(
                as: .maintenance, scope: nil,
                "select count(*) from \(unsafeRaw: table.qualifiedName) where id = \(b.id(in: table))") == .rows(1))
    }

    @Test(arguments: AccountOwnedTable.allCases, scopedRoles)
    func cannotInsertRowsForAnotherAccount(table: AccountOwnedTable, role: DatabaseRole) {
        let outcome = attempt(
            as: role, scope: a.accountID, b.insertQuery(for: table, as: b.accountID, id: UUID()), counting: false)

        #expect(outcome != .rows(1), "\(role) as A inserted a \(table) row for B")
        #expect(outcome.isHarmless, "\(role) as A inserting for B: \(outcome)")
    }

    @Test(arguments: referencingTables, scopedRoles)
    func cannotAttachItsRowsToAnotherAccountsRows(table: AccountOwnedTable, role: DatabaseRole) {
        let outcome = attempt(
            as: role, scope: a.accountID, b.insertQuery(for: table, as: a.accountID, id: UUID()), counting: false)

        #expect(outcome.isHarmless, "\(role) as A attached a \(table) row to B's rows: \(outcome)")
    }

    @Test(arguments: scopedRoles)
    func cannotReachAnotherAccountsRowsThroughJoins(role: DatabaseRole) {
        let attempts: [PostgresQuery] = [
            """
            select count(*) from kloudhub.waste_findings w join kloudhub.resources r on r.id = w.resource_id
            where r.id = \(b.id(in: .resources))
            """,
            """
            select count(*) from kloudhub.deployments d join kloudhub.klouds k on k.id = d.kloud_id
            where k.account_id = \(b.accountID) or d.id = \(b.id(in: .deployments))
            """,
            """
            select count(*) from kloudhub.resources r left join kloudhub.cloud_accounts c on c.id = r.cloud_account_id
            where r.cloud_account_id = \(b.id(in: .cloudAccounts)) or c.id = \(b.id(in: .cloudAccounts))
            """,
            "select count(*) from kloudhub.klouds where id in (select kloud_id from kloudhub.deployments where account_id = \(b.accountID))",
            "select count(*) from kloudhub.accounts a join kloudhub.klouds k on k.account_id = a.id where a.id = \(b.accountID)",
            """
            select count(*) from (select account_id from kloudhub.scans union all select account_id from kloudhub.resources) s
            where s.account_id = \(b.accountID)
            """,
        ]

        for query in attempts {
            let outcome = attempt(as: role, scope: a.accountID, query)
            #expect(outcome.isHarmless, "\(role) as A: \(query.sql) gave \(outcome)")
        }
    }

    @Test(arguments: AccountOwnedTable.allCases, scopedRoles)
    func seesNoRowsWithoutAScope(table: AccountOwnedTable, role: DatabaseRole) {
        let outcome = attempt(as: role, scope: nil, "select count(*) from \(unsafeRaw: table.qualifiedName)")

        #expect(outcome.isHarmless, "\(role) without a scope on \(table): \(outcome)")
    }

    @Test(arguments: scopedRoles)
    func cannotWidenItsScopeWithAMalformedSetting(role: DatabaseRole) {
        let outcome = attempt(
            as: role, scope: nil,
            """
            select count(*) from (select set_config('kloudhub.account_id', \("' or true --"), true)) s, kloudhub.klouds
            """)

        #expect(outcome.isHarmless || outcome == .refused(.other(sqlState: "22P02")), "\(outcome)")
    }

    // MARK: - Credential columns

    @Test(arguments: [
        ("cloud_accounts", "credential_ciphertext"), ("cloud_accounts", "encrypted_data_key"),
        ("cloud_accounts", "external_id"), ("cloud_accounts", "kms_key_id"), ("cloud_accounts", "*"),
        ("api_keys", "key_hash"), ("oauth_codes", "code_hash"), ("oauth_clients", "client_secret_hash"),
    ])
    func apiRoleCannotReadSecretColumnsEvenOfItsOwnAccount(table: String, column: String) {
        let outcome = attempt(
            as: .api, scope: a.accountID, "select \(unsafeRaw: column) from kloudhub.\(unsafeRaw: table)",
            counting: false)

        #expect(outcome == .refused(.permissionDenied))
    }

    @Test func workerReadsTheCiphertextOfItsOwnAccountOnly() throws {
        let ciphertexts = try clients[.worker]!.transaction(scopedTo: a.accountID) { transaction in
            try transaction.query("select credential_ciphertext from kloudhub.cloud_accounts").decode([UInt8].self)
        }

        #expect(ciphertexts == [a.credentialCiphertext])
    }

    @Test func maintenanceWorksAcrossAccountsWithoutReadingCredentials() {
        let accounts: PostgresQuery =
            "select count(*) from kloudhub.klouds where account_id = any(\([a.accountID, b.accountID]))"

        #expect(attempt(as: .maintenance, scope: nil, accounts) == .rows(2))
        #expect(
            attempt(
                as: .maintenance, scope: nil, "select credential_ciphertext from kloudhub.cloud_accounts",
                counting: false)
                == .refused(.permissionDenied))
    }

    // MARK: - Lookups before the account is known

    @Test func resolvesAnAPIKeyHashToItsAccountAndNothingMore() throws {
        let client = clients[.api]!

        let rows = try client.query("select * from kloudhub.find_api_key(\(b.apiKeyHash))")

        #expect(rows.count == 1)
        #expect(try rows.first?.decode(UUID.self, column: "account_id") == b.accountID)
        #expect(!rows.columnNames.contains("key_hash"))
        #expect(try client.query("select * from kloudhub.find_api_key(\(randomBytes(32)))").isEmpty)
    }

    @Test func onlyTheTokenEndpointRoleRedeemsCodes() {
        let outcome = attempt(
            as: .worker, scope: nil, "select count(*) from kloudhub.find_authorization_code(\(randomBytes(32)))")

        #expect(outcome == .refused(.permissionDenied))
    }

    // MARK: - The catalog

    @Test func forcesRowLevelSecurityOnEveryAccountTable() throws {
        let rows = try database.client(as: .owner).query(
            """
            select c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                   (select count(*) from pg_policies p
                    where p.schemaname = 'kloudhub' and p.tablename = c.relname
                      and 'kloudhub_api' = any(p.roles) and 'kloudhub_worker' = any(p.roles))
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'kloudhub' and c.relkind in ('r', 'p') and not c.relispartition
              and c.relname not in ('schema_migrations', 'oauth_clients', 'registration_budgets', 'erased_clerk_users')
            order by 1
            """)

        let tables = try rows.decode((String, Bool, Bool, Int).self)

        #expect(Set(tables.map(\.0)) == Set(AccountOwnedTable.allCases.map(\.rawValue)))
        for (name, isEnabled, isForced, policies) in tables {
            #expect(isEnabled && isForced, "\(name) is not under forced row-level security")
            #expect(policies >= 1, "\(name) has no policy for the scoped roles")
        }
    }

    @Test func grantsNothingOnRequestLogPartitions() throws {
        let partition = try #require(
            database.client(as: .owner).query(
                "select relname::text from pg_class where relname like 'request_log_p%' and relkind = 'r' limit 1"
            ).first
        ).decode(String.self)

        let outcome = attempt(as: .api, scope: a.accountID, "select count(*) from kloudhub.\(identifier: partition)")

        #expect(outcome == .refused(.permissionDenied))
    }
}
