import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

@Suite struct ReconnectionTests {
    private func backendPID(_ client: PostgresClient) throws -> Int {
        try #require(client.query("select pg_backend_pid()").first).decode(Int.self)
    }

    /// A sequence counts the attempts: nextval survives a rollback and a lost connection.
    private func prepareAttemptCounter(in database: TestDatabase) throws -> String {
        let name = "attempts_\(UUID().uuidString.prefix(8).lowercased())"
        let owner = database.client(as: .owner)
        try owner.execute("create sequence kloudhub.\(unsafeRaw: name)")
        try owner.execute("grant usage, select on sequence kloudhub.\(unsafeRaw: name) to kloudhub_api")
        return name
    }

    private func attempts(_ counter: String, in database: TestDatabase) throws -> Int {
        try #require(
            database.client(as: .owner).query("select last_value from kloudhub.\(unsafeRaw: counter)").first
        ).decode(Int.self)
    }

    @Test func reconnectsAfterTheServerRestartsBetweenTwoInvocations() async throws {
        let directory = TestPostgres.privateClusterDirectory(label: "restart")
        let cluster = EmbeddedPostgres(
            configuration: .init(
                dataDirectory: directory, migrationsDirectory: TestEnvironment.migrationsDirectory, isDurable: false,
                binaryDirectory: TestEnvironment.postgresBinaryDirectory))
        try await cluster.start()
        do {
            let client = PostgresClient(
                configuration: .init(connectionString: try await cluster.connectionString(for: .api, transport: .tcp)))
            let id = "kept-across-restarts"
            try client.execute(
                """
                insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris)
                values (\(id), 'dynamic', \(["https://client.example/cb"]))
                """)
            let before = try backendPID(client)

            try await cluster.restart()

            let after = try backendPID(client)
            #expect(after != before)
            let kept = try client.query("select count(*) from kloudhub.oauth_clients where client_id = \(id)")
            #expect(try kept.first?.decode(Int.self) == 1)
        } catch {
            await cluster.stop()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        await cluster.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.database) func reconnectsAfterItsSessionWasTerminated() throws {
        let database = try TestDatabase.required()
        let client = database.client(as: .api)
        let before = try backendPID(client)

        try database.client(as: .api).execute("select pg_terminate_backend(\(Int32(before)))")

        #expect(try backendPID(client) != before)
    }

    @Test(.database) func resendsTheFirstStatementOnceWhenItsConnectionDrops() throws {
        let database = try TestDatabase.required()
        let counter = try prepareAttemptCounter(in: database)
        let client = database.client(as: .api)

        let error = try #require(throws: PostgresError.self) {
            try client.query("select nextval(\("kloudhub." + counter)), pg_terminate_backend(pg_backend_pid())")
        }

        #expect(error.kind == .connectionLost)
        #expect(try attempts(counter, in: database) == 2)
        #expect(try #require(client.query("select 1").first).decode(Int.self) == 1)
    }

    @Test(.database) func resendsAReadOnceWhenItsConnectionDrops() throws {
        let database = try TestDatabase.required()
        let client = database.client(as: .api)
        let before = try backendPID(client)

        let error = try #require(throws: PostgresError.self) {
            try client.read("select pg_terminate_backend(pg_backend_pid())")
        }

        #expect(error.kind == .connectionLost)
        let after = try #require(client.read("select pg_backend_pid()").first).decode(Int.self)
        #expect(after != before)
    }

    @Test(.database) func neverResendsAOneStatementWriteAndSaysItsOutcomeIsUnknown() throws {
        let database = try TestDatabase.required()
        let counter = try prepareAttemptCounter(in: database)
        let client = database.client(as: .api)

        let error = try #require(throws: PostgresError.self) {
            try client.write(
                scopedTo: nil, "select nextval(\("kloudhub." + counter)), pg_terminate_backend(pg_backend_pid())")
        }

        #expect(error.kind == .connectionLost)
        #expect(error.isCommitOutcomeUnknown)
        #expect(try attempts(counter, in: database) == 1)
        #expect(try #require(client.read("select 1").first).decode(Int.self) == 1)
    }

    @Test(.database) func neverResendsALaterStatementWhoseConnectionDropped() throws {
        let database = try TestDatabase.required()
        let counter = try prepareAttemptCounter(in: database)
        let client = database.client(as: .api)

        let error = try #require(throws: PostgresError.self) {
            try client.transaction { transaction in
                try transaction.execute("select 1")
                try transaction.execute(
                    "select nextval(\("kloudhub." + counter)), pg_terminate_backend(pg_backend_pid())")
            }
        }

        #expect(error.kind == .connectionLost)
        #expect(!error.isCommitOutcomeUnknown)
        #expect(try attempts(counter, in: database) == 1)
        #expect(try #require(client.query("select 1").first).decode(Int.self) == 1)
    }
}
