import Foundation
import KloudCore
import KloudTestSupport
import Logging
import Testing

/// What anonymous registration leaves behind is bounded (issue 19, item 8): the sweep deletes
/// the budget windows that ended, and the dynamically registered clients unused for 30 days that
/// nothing live references, at their exact boundaries, with the test's clock.
@Suite(.database, .serialized) struct RegistrationRetentionTests {
    static let redirect = "https://claude.ai/api/mcp/auth_callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let day: TimeInterval = 86_400

    let database: TestDatabase
    let api: PostgresClient
    let maintenance: PostgresClient
    let clients: ClientStore
    let clock = TestClock()

    init() throws {
        database = try TestDatabase.required()
        api = database.client(as: .api)
        maintenance = database.client(as: .maintenance)
        clients = ClientStore(database: api)
    }

    func run(dryRun: Bool = false, batchSize: Int = 10_000) async throws -> SweepReport {
        let sweep = RetentionSweep(
            database: maintenance, erasure: AccountErasure(database: maintenance, storage: .none, now: clock.now),
            batchSize: batchSize, now: clock.now)
        return try await sweep.run(
            isDryRun: dryRun, deadline: .unlimited, maximumHold: .seconds(60), logger: Logger(label: "sweep-test"))
    }

    /// A client registered `daysAgo` days before the clock's now (from an address of its own).
    func registerClient(daysAgo: Double) throws -> String {
        let body =
            #"{"redirect_uris":["\#(Self.redirect)"],"token_endpoint_auth_method":"none","#
            + #""grant_types":["authorization_code","refresh_token"]}"#
        return try clients.register(
            try ClientRegistrationRequest(json: Array(body.utf8)), within: .ofUnusedSource(),
            now: clock.now().addingTimeInterval(-daysAgo * Self.day)
        ).clientID
    }

    func exists(client: String) throws -> Bool {
        try #require(
            try maintenance.query("select count(*) from kloudhub.oauth_clients where client_id = \(client)").first
        ).decode(Int.self) == 1
    }

    func windows(startingAt start: Date) throws -> Int {
        try #require(
            try maintenance.query("select count(*) from kloudhub.registration_budgets where window_start = \(start)")
                .first
        ).decode(Int.self)
    }

    // MARK: - Budget windows

    @Test func aBudgetWindowIsDeletedOnceItHasEndedAndTheCurrentOneStays() async throws {
        let now = clock.now()
        let current = RegistrationBudget.windowStart(containing: now)
        let ended = current.addingTimeInterval(-RegistrationBudget.window)
        _ = try clients.register(
            try ClientRegistrationRequest(json: Array(#"{"redirect_uris":["\#(Self.redirect)"]}"#.utf8)),
            within: .ofUnusedSource(), now: now)
        _ = try clients.register(
            try ClientRegistrationRequest(json: Array(#"{"redirect_uris":["\#(Self.redirect)"]}"#.utf8)),
            within: .ofUnusedSource(), now: ended.addingTimeInterval(RegistrationBudget.window - 1))

        let report = try await run()

        #expect(try windows(startingAt: current) >= 1)
        #expect(try windows(startingAt: ended) == 0)
        #expect(report.counts["registration_budgets_deleted", default: 0] >= 1)
    }

    /// Much due (all of 300 windows, more than a tenth of the table): the sweep reads the table
    /// page range by page range, as it does keys.
    @Test func endedWindowsGoPageByPageWhenMuchOfTheTableIsDue() async throws {
        let ended = RegistrationBudget.windowStart(containing: clock.now()).addingTimeInterval(-2 * 3600)
        var administrator = database.setup.adminConnectionString
        administrator["dbname"] = database.name
        let admin = try PostgresConnection.connect(to: administrator.conninfo)
        defer { admin.close() }
        try admin.execute(
            """
            insert into kloudhub.registration_budgets (source_network, window_start, registrations)
            select ('10.' || (g / 256) || '.' || (g % 256) || '.1/32')::cidr, \(ended), 1
            from generate_series(1, 300) g
            """)
        // Fresh statistics, as autovacuum keeps them.
        try admin.execute("analyze kloudhub.registration_budgets")

        let report = try await run(batchSize: 100)

        #expect(report.failures.isEmpty)
        #expect(report.counts["registration_budgets_deleted", default: 0] >= 300)
        #expect(try windows(startingAt: ended) == 0)
    }

    // MARK: - Dry run

    @Test func aDryRunCountsEndedWindowsAndDeletesNothing() async throws {
        let ended = RegistrationBudget.windowStart(containing: clock.now()).addingTimeInterval(
            -RegistrationBudget.window)
        _ = try clients.register(
            try ClientRegistrationRequest(json: Array(#"{"redirect_uris":["\#(Self.redirect)"]}"#.utf8)),
            within: .ofUnusedSource(), now: ended)

        let report = try await run(dryRun: true)

        #expect(report.counts["registration_budgets_deleted", default: 0] >= 1)
        #expect(try windows(startingAt: ended) >= 1)
    }
}
