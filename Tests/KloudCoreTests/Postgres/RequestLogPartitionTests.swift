import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// The request log is kept at most 90 days by dropping whole day partitions.
@Suite(.database) struct RequestLogPartitionTests {
    private let maintenance: PostgresClient
    private let api: PostgresClient

    init() throws {
        let database = try TestDatabase.required()
        maintenance = database.client(as: .maintenance)
        api = database.client(as: .api)
    }

    private func count(_ query: PostgresQuery, using client: PostgresClient) throws -> Int {
        try #require(client.query(query).first).decode(Int.self)
    }

    @Test func hasPartitionsFromYesterdayToAWeekAhead() throws {
        let missing = try count(
            """
            select count(*) from generate_series(-1, 7) as d
            where to_regclass('kloudhub.request_log_p' || to_char(current_date + d, 'YYYYMMDD')) is null
            """, using: maintenance)

        #expect(missing == 0)
    }

    @Test func createsDayPartitionsAheadOnce() throws {
        let first = try count("select kloudhub.create_request_log_partitions(current_date + 30, 3)", using: maintenance)
        let again = try count("select kloudhub.create_request_log_partitions(current_date + 30, 3)", using: maintenance)

        #expect(first == 3)
        #expect(again == 0)
    }

    @Test func dropsPartitionsOlderThanTheCutoffWithTheirRows() throws {
        _ = try count("select kloudhub.create_request_log_partitions(current_date - 100, 2)", using: maintenance)
        try maintenance.execute(
            """
            insert into kloudhub.request_log (request_id, function_name, method, path, status, duration_ms, occurred_at)
            values ('old', 'mcp', 'GET', '/mcp', 200, 1, now() - interval '100 days')
            """)

        let dropped = try count("select kloudhub.drop_request_log_partitions(current_date - 90)", using: maintenance)

        #expect(dropped == 2)
        #expect(
            try count("select count(*) from kloudhub.request_log where request_id = 'old'", using: maintenance) == 0)
        #expect(try count("select count(*) from pg_class where relname like 'request_log_p%'", using: maintenance) >= 9)
    }

    @Test func refusesToDropTodaysLogs() throws {
        let error = try #require(throws: PostgresError.self) {
            try maintenance.query("select kloudhub.drop_request_log_partitions(current_date + 1)")
        }

        #expect(error.kind == .other(sqlState: "22023"))
    }

    @Test func letsOnlyMaintenanceManagePartitions() throws {
        let error = try #require(throws: PostgresError.self) {
            try api.query("select kloudhub.drop_request_log_partitions(current_date - 90)")
        }

        #expect(error.kind == .permissionDenied)
    }

    @Test func acceptsAnonymousLogRowsFromTheAPIButNeverShowsThemToIt() throws {
        try api.execute(
            "insert into kloudhub.request_log (request_id, function_name, method, path, status, duration_ms) values ('anon', 'authorize', 'GET', '/authorize', 302, 4)"
        )

        let error = try #require(throws: PostgresError.self) {
            try api.query("select count(*) from kloudhub.request_log")
        }

        #expect(error.kind == .permissionDenied)
        #expect(
            try count("select count(*) from kloudhub.request_log where request_id = 'anon'", using: maintenance) == 1)
    }
}
