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

    // MARK: - Unused clients

    @Test func aClientNeverUsedStaysAt29DaysAndGoesAt31() async throws {
        let recent = try registerClient(daysAgo: 29)
        let old = try registerClient(daysAgo: 31)

        let report = try await run()

        #expect(try exists(client: recent))
        #expect(try !exists(client: old))
        #expect(report.counts["oauth_clients_deleted", default: 0] >= 1)
        #expect(report.failures.isEmpty)
    }

    @Test func aClientLastUsed29DaysAgoStaysAndOneLastUsed31DaysAgoGoes() async throws {
        let recent = try registerClient(daysAgo: 60)
        let old = try registerClient(daysAgo: 60)
        try clients.touch(recent, at: clock.now().addingTimeInterval(-29 * Self.day))
        try clients.touch(old, at: clock.now().addingTimeInterval(-31 * Self.day))

        _ = try await run()

        #expect(try exists(client: recent))
        #expect(try !exists(client: old))
    }

    @Test func aClientWithALiveRefreshTokenStays() async throws {
        // Given: a client registered 40 days ago and last used 31 days ago, whose person holds a
        // refresh token issued two hours ago (the code and access token have expired since).
        let account = try AccountDirectory(database: api).upsert(
            clerkUserID: "user_" + UUID().uuidString, email: "ada@example.com", name: "Ada"
        ).id
        let clientID = try registerClient(daysAgo: 40)
        let client = try #require(try clients.find(clientID))
        let settings = try OAuthSettings(publicURL: "https://api.kloudhub.test")
        let tokens = OAuthTokenService(database: api, settings: settings, now: clock.now)
        let code = try tokens.issueCode(
            for: AuthorizationGrant(
                accountID: account, clientID: clientID, redirectURI: Self.redirect, codeChallenge: Self.challenge,
                scopes: [.read], resource: settings.mcpResource))
        let issued = try tokens.exchangeCode(
            code, client: client, redirectURI: Self.redirect, verifier: Self.verifier, resource: settings.mcpResource)
        try clients.touch(clientID, at: clock.now().addingTimeInterval(-31 * Self.day))
        clock.advance(by: 2 * 3600)

        // When
        let report = try await run()

        // Then
        #expect(issued.refreshToken != nil)
        #expect(try exists(client: clientID))
        #expect(report.counts["oauth_codes_deleted", default: 0] >= 1)
    }

    @Test func aClientKnownByItsMetadataDocumentIsNeverSweptAsUnused() async throws {
        let clientID = "https://app.example/\(UUID().uuidString)/client.json"
        let client = OAuthClient(
            clientID: clientID, clientName: "App", redirectURIs: [Self.redirect], grantTypes: ["authorization_code"],
            authMethod: .none, clientURI: nil)
        let fetched = clock.now().addingTimeInterval(-60 * Self.day)
        try clients.saveMetadataDocumentClient(
            client, metadata: PostgresJSON(text: "{}"), fetchedAt: fetched, expiresAt: fetched.addingTimeInterval(3600))
        try api.execute("update kloudhub.oauth_clients set last_used_at = \(fetched) where client_id = \(clientID)")

        _ = try await run()

        #expect(try exists(client: clientID))
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

    @Test func aDryRunCountsUnusedClientsAndEndedWindowsAndDeletesNothing() async throws {
        let old = try registerClient(daysAgo: 31)

        let report = try await run(dryRun: true)

        #expect(try exists(client: old))
        #expect(report.counts["oauth_clients_deleted", default: 0] >= 1)
        #expect(report.counts["registration_budgets_deleted", default: 0] >= 1)
    }
}
