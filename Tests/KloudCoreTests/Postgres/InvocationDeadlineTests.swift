import Foundation
import KloudCore
import KloudTestSupport
import LambdaRuntime
import Testing

/// Every database wait ends by the invocation's deadline, so a function answers 503 instead of
/// being killed: after a freeze and thaw a NAT or pooler may have dropped a warm instance's
/// connection without a word, and the server's answer never comes.
@Suite(.database) struct InvocationDeadlineTests {
    /// A client of the API role whose connection goes through `forwarder` (loopback TCP).
    private func client(through forwarder: FreezableTCPForwarder) throws -> PostgresClient {
        let database = try TestDatabase.required()
        let url = try PostgresConnectionString(database.connectionString(for: .api))
            .setting(["host": "127.0.0.1", "port": String(forwarder.port)])
        return PostgresClient(configuration: .init(connectionString: url.conninfo))
    }

    private func tcpPort() throws -> Int {
        let database = try TestDatabase.required()
        return try #require(Int(try PostgresConnectionString(database.connectionString(for: .api))["port"] ?? ""))
    }

    /// Runs `body` as inside an invocation whose waits must end `after` from now.
    private func withDeadline<Result>(after time: Duration, _ body: () throws -> Result) rethrows -> Result {
        try InvocationDeadline.$waitsEndBy.withValue(ContinuousClock.now + time, operation: body)
    }

    @Test func aWarmConnectionThatWentSilentGivesUpAtTheDeadlineAndTheNextCallReconnects() throws {
        let forwarder = try FreezableTCPForwarder(toPort: try tcpPort())
        defer { forwarder.stop() }
        let client = try client(through: forwarder)
        #expect(try client.read("select 1").first?.decode(Int.self) == 1)
        forwarder.freeze()
        let started = ContinuousClock.now

        let error = #expect(throws: PostgresError.self) {
            try withDeadline(after: .seconds(1)) { try client.read("select 1") }
        }

        let waited = ContinuousClock.now - started
        #expect(error?.kind == .deadlineExceeded)
        // Without the deadline it would wait for TCP's own timeout (tcp_user_timeout, 15 s).
        #expect(waited >= .milliseconds(900) && waited < .seconds(10), "waited \(waited)")
        forwarder.thaw()
        #expect(try withDeadline(after: .seconds(5)) { try client.read("select 2").first?.decode(Int.self) } == 2)
    }

    @Test func aTransactionOnASilentConnectionGivesUpAtTheDeadline() throws {
        let forwarder = try FreezableTCPForwarder(toPort: try tcpPort())
        defer { forwarder.stop() }
        let client = try client(through: forwarder)
        _ = try client.query("select 1")
        forwarder.freeze()
        let started = ContinuousClock.now

        let error = #expect(throws: PostgresError.self) {
            try withDeadline(after: .seconds(1)) {
                try client.transaction { transaction in try transaction.query("select 1") }
            }
        }

        #expect(error?.kind == .deadlineExceeded)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aSlowStatementEndsByTheDeadlineRatherThanItsOwnTimeout() throws {
        let database = try TestDatabase.required()
        let client = database.client(as: .api, statementTimeout: .seconds(30))
        let started = ContinuousClock.now

        let error = #expect(throws: PostgresError.self) {
            try withDeadline(after: .seconds(1)) { try client.query("select pg_sleep(20)") }
        }

        #expect([.queryCanceled, .deadlineExceeded].contains(error?.kind))
        #expect(ContinuousClock.now - started < .seconds(10), "not the 20 seconds the statement asked for")
    }

    @Test func outsideAnInvocationNothingIsBounded() throws {
        let database = try TestDatabase.required()
        let client = database.client(as: .api, statementTimeout: .seconds(30))

        #expect(try client.query("select 1 from pg_sleep(1.2)").first?.decode(Int.self) == 1)
    }
}
