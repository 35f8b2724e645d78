import Foundation
import KloudCore
import KloudTestSupport
import Testing

@Suite(.database) struct PostgresClientTests {
    private let database: TestDatabase

    init() throws {
        database = try TestDatabase.required()
    }

    private func registerClient(_ id: String, using client: PostgresClient) throws {
        try client.execute(
            """
            insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris)
            values (\(id), 'dynamic', \(["https://client.example/cb"]))
            """)
    }

    private func clientCount(_ id: String, using client: PostgresClient) throws -> Int {
        try #require(client.query("select count(*) from kloudhub.oauth_clients where client_id = \(id)").first).decode(
            Int.self)
    }

    @Test func commitsWhenTheBodyReturns() throws {
        let client = database.client(as: .api)
        let id = "commit-\(UUID())"

        try client.transaction { transaction in
            try transaction.execute(
                "insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris) values (\(id), 'dynamic', \(["https://a.example/cb"]))"
            )
        }

        #expect(try clientCount(id, using: client) == 1)
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        struct Abandon: Error {}
        let client = database.client(as: .api)
        let id = "rollback-\(UUID())"

        #expect(throws: Abandon.self) {
            try client.transaction { transaction in
                try transaction.execute(
                    "insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris) values (\(id), 'dynamic', \(["https://a.example/cb"]))"
                )
                throw Abandon()
            }
        }

        #expect(try clientCount(id, using: client) == 0)
    }

    @Test func scopesOnlyItsOwnTransaction() throws {
        let client = database.client(as: .api)
        let accountID = UUID()

        let inside = try client.transaction(scopedTo: accountID) { transaction in
            try #require(transaction.query("select current_setting('kloudhub.account_id', true)").first)
                .decode(String?.self)
        }
        let after = try #require(client.query("select current_setting('kloudhub.account_id', true)").first)
            .decode(String?.self)

        #expect(inside == accountID.uuidString.lowercased())
        #expect(after == nil || after == "")
    }

    @Test func leavesNoSessionStateForAPooler() throws {
        let client = database.client(as: .api, statementTimeout: .seconds(3))
        _ = try client.transaction(scopedTo: UUID()) { try $0.query("select 1") }

        let row = try #require(
            client.query(
                """
                select (select count(*) from pg_prepared_statements),
                       current_setting('statement_timeout'),
                       current_setting('kloudhub.account_id', true)
                """
            ).first)
        let (prepared, timeout, scope) = try row.decode((Int, String, String?).self)

        #expect(prepared == 0)
        #expect(timeout == "3s")
        #expect(scope == nil || scope == "")
        let outside = try database.connection(as: .api)
        #expect(try #require(outside.query("show statement_timeout").first).decode(String.self) == "0")
    }

    @Test func readsInOneStatementScopedReadOnlyAndLeavesNothingBehind() throws {
        let client = database.client(as: .api, statementTimeout: .seconds(3))
        let accountID = UUID()

        let inside = try #require(
            client.read(
                scopedTo: accountID,
                """
                select current_setting('kloudhub.account_id', true), current_setting('transaction_read_only'),
                       current_setting('statement_timeout')
                """
            ).first
        ).decode((String?, String, String).self)
        let after = try #require(client.read("select current_setting('kloudhub.account_id', true)").first)
            .decode(String?.self)

        #expect(inside.0 == accountID.uuidString.lowercased())
        #expect(inside.1 == "on" && inside.2 == "3s")
        #expect(after == nil || after == "")
        let later = try #require(client.query("select current_setting('transaction_read_only')").first)
            .decode(String.self)
        #expect(later == "off", "a later transaction may write")
    }

    @Test func refusesAWriteInARead() throws {
        let client = database.client(as: .api)
        let id = "read-\(UUID())"

        let error = try #require(throws: PostgresError.self) {
            try client.read(
                """
                insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris)
                values (\(id), 'dynamic', \(["https://a.example/cb"])) returning client_id
                """)
        }

        #expect(error.sqlState == "25006")
        #expect(try clientCount(id, using: client) == 0)
        #expect(try #require(client.read("select 1").first).decode(Int.self) == 1)
    }

    @Test func writesOneStatementCommittedOrNotAtAll() throws {
        let client = database.client(as: .api)
        let id = "write-\(UUID())"
        let insert: PostgresQuery = """
            insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris)
            values (\(id), 'dynamic', \(["https://a.example/cb"]))
            """

        #expect(try client.write(scopedTo: nil, insert) == 1)
        let error = try #require(throws: PostgresError.self) { try client.write(scopedTo: UUID(), insert) }

        #expect(error.kind == .uniqueViolation)
        #expect(try clientCount(id, using: client) == 1)
        let session = try #require(
            client.read("select current_setting('kloudhub.account_id', true), current_setting('transaction_read_only')")
                .first
        ).decode((String?, String).self)
        #expect((session.0 == nil || session.0 == "") && session.1 == "on")
    }

    @Test func cancelsAStatementPastItsTimeout() throws {
        let client = database.client(as: .api, statementTimeout: .milliseconds(100))

        let error = try #require(throws: PostgresError.self) { try client.query("select pg_sleep(5)") }

        #expect(error.kind == .queryCanceled)
        #expect(try #require(client.query("select 1").first).decode(Int.self) == 1)
    }

    @Test func reportsAUniqueViolationAsItsOwnCase() throws {
        let client = database.client(as: .api)
        let id = "duplicate-\(UUID())"
        try registerClient(id, using: client)

        let error = try #require(throws: PostgresError.self) { try registerClient(id, using: client) }

        #expect(error.kind == .uniqueViolation)
        #expect(error.code == "unique_violation")
        #expect(error.sqlState == "23505")
        #expect(error.server?.constraint == "oauth_clients_pkey")
        #expect(error.server?.table == "oauth_clients")
        #expect(!error.description.contains(id))
        #expect(!error.description.contains("insert"))
        #expect(error.debugDescription.contains(id))
    }

    @Test func reportsAForeignKeyViolation() throws {
        let client = database.client(as: .worker)
        let accountID = try AccountFixture.insert(into: database, label: "fk").accountID

        let error = try #require(throws: PostgresError.self) {
            try client.transaction(scopedTo: accountID) { transaction in
                try transaction.execute(
                    """
                    insert into kloudhub.kloud_files (account_id, kloud_id, path, content, sha256, size_bytes)
                    values (\(accountID), \(UUID()), 'main.tf', '', \(randomBytes(32)), 0)
                    """)
            }
        }

        #expect(error.kind == .foreignKeyViolation)
    }

    @Test func reportsACheckViolation() throws {
        let client = database.client(as: .api)

        let error = try #require(throws: PostgresError.self) {
            try client.execute(
                "insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris) values ('x', 'guessed', \(["https://a.example"]))"
            )
        }

        #expect(error.kind == .checkViolation)
    }

    @Test func reportsASerializationFailure() throws {
        let client = database.client(as: .api)
        let id = "serialized-\(UUID())"
        try registerClient(id, using: client)
        let first = try database.connection(as: .api)
        let second = try database.connection(as: .api)

        try first.execute("begin isolation level repeatable read")
        _ = try first.query("select client_name from kloudhub.oauth_clients where client_id = \(id)")
        try second.execute("update kloudhub.oauth_clients set client_name = 'second' where client_id = \(id)")
        let error = try #require(throws: PostgresError.self) {
            try first.execute("update kloudhub.oauth_clients set client_name = 'first' where client_id = \(id)")
        }

        #expect(error.kind == .serializationFailure)
        #expect(error.isTransient)
    }

    @Test func refusesATransactionInsideAnother() throws {
        let client = database.client(as: .api)

        let error = try #require(throws: PostgresError.self) {
            try client.transaction { _ in try client.query("select 1") }
        }

        #expect(error.kind == .nestedTransaction)
        #expect(try #require(client.query("select 1").first).decode(Int.self) == 1)
    }

    @Test func servesConcurrentCallersOneAtATime() async throws {
        let client = database.client(as: .api)

        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 1...20 {
                group.addTask { try #require(client.query("select \(n) + 1").first).decode(Int.self) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        #expect(sums.sorted() == Array(2...21))
    }

    @Test func reportsARefusedConnection() throws {
        let client = PostgresClient(
            configuration: .init(connectionString: database.connectionString(for: .api) + " user=nobody_at_all"))

        let error = try #require(throws: PostgresError.self) { try client.query("select 1") }

        #expect(error.kind == .connectionFailed)
        #expect(!error.description.contains("nobody_at_all"))
    }
}
