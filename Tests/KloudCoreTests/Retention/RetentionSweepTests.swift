import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Logging
import Testing

/// Each retention rule at its exact boundary, with a clock the test sets and back-dated rows
/// (PP-codes, PP-revoke, PP-logs).
@Suite(.database, .serialized) struct RetentionSweepTests {
    static let redirect = "https://claude.ai/api/mcp/auth_callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let day: TimeInterval = 86_400

    let api: PostgresClient
    let maintenance: PostgresClient
    let clock = TestClock()
    let settings: OAuthSettings

    init() throws {
        let database = try TestDatabase.required()
        api = database.client(as: .api)
        maintenance = database.client(as: .maintenance)
        settings = try OAuthSettings(publicURL: "https://api.kloudhub.test")
    }

    func sweep(batchSize: Int = 10_000) -> RetentionSweep {
        RetentionSweep(
            database: maintenance, erasure: AccountErasure(database: maintenance, storage: .none, now: clock.now),
            batchSize: batchSize, now: clock.now)
    }

    func run(
        dryRun: Bool = false, deadline: WorkDeadline = .unlimited, batchSize: Int = 10_000
    ) async throws
        -> SweepReport
    {
        try await sweep(batchSize: batchSize).run(
            isDryRun: dryRun, deadline: deadline, maximumHold: .seconds(60), logger: Logger(label: "sweep-test"))
    }

    func newAccount() throws -> UUID {
        try AccountDirectory(database: api).upsert(
            clerkUserID: "user_" + UUID().uuidString, email: "ada@example.com", name: "Ada"
        ).id
    }

    func count(_ query: PostgresQuery) throws -> Int {
        try #require(try maintenance.query(query).first).decode(Int.self)
    }

    func newKey(for account: UUID) throws -> UUID {
        try APIKeyService(database: api).create(account: account, name: "key", scopes: [.read], expiresAt: nil).apiKey
            .id
    }

    // MARK: - OAuth codes

    @Test func aCodeAt9m59IsUsableAndAt10m01IsRefusedThenSwept() async throws {
        let account = try newAccount()
        let clients = ClientStore(database: api)
        let body =
            #"{"redirect_uris":["\#(Self.redirect)"],"token_endpoint_auth_method":"none","client_name":"Claude"}"#
        let registered = try clients.register(
            try ClientRegistrationRequest(json: Array(body.utf8)), within: .ofUnusedSource(), now: clock.now())
        let client = try #require(try clients.find(registered.clientID))
        let tokens = OAuthTokenService(database: api, settings: settings, now: clock.now)
        let grant = AuthorizationGrant(
            accountID: account, clientID: client.clientID, redirectURI: Self.redirect, codeChallenge: Self.challenge,
            scopes: [.read], resource: settings.mcpResource)
        let early = try tokens.issueCode(for: grant)
        let late = try tokens.issueCode(for: grant)

        clock.advance(by: 9 * 60 + 59)
        let usable = Result {
            try tokens.exchangeCode(
                early, client: client, redirectURI: Self.redirect, verifier: Self.verifier,
                resource: settings.mcpResource)
        }
        clock.advance(by: 2)
        let refused = Result {
            try tokens.exchangeCode(
                late, client: client, redirectURI: Self.redirect, verifier: Self.verifier,
                resource: settings.mcpResource)
        }
        let before = try count("select count(*) from kloudhub.oauth_codes where account_id = \(account)")
        let report = try await run()

        #expect(throws: Never.self) { try usable.get() }
        #expect(throws: APIError.self) { try refused.get() }
        #expect(before == 2)
        #expect(report.counts["oauth_codes_deleted"] == 2)
        #expect(try count("select count(*) from kloudhub.oauth_codes where account_id = \(account)") == 0)
    }

    @Test func keepsCodesThatHaveNotExpired() async throws {
        let account = try newAccount()
        let fixtureClient = "client-" + UUID().uuidString
        try api.execute(
            """
            insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris)
            values (\(fixtureClient), 'dynamic', \([Self.redirect]))
            """)
        try api.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.oauth_codes (account_id, code_hash, client_id, redirect_uri, code_challenge, expires_at,
                                         created_at)
                values (\(account), \(Data((0..<32).map { _ in UInt8.random(in: 0...255) })), \(fixtureClient),
                        \(Self.redirect), \(Self.challenge), \(clock.now().addingTimeInterval(60)), \(clock.now()))
                """)
        }

        _ = try await run()

        #expect(try count("select count(*) from kloudhub.oauth_codes where account_id = \(account)") == 1)
    }

    // MARK: - Keys

    @Test func aKeyRevoked89DaysAgoStaysInactiveAnd91DaysAgoIsPurged() async throws {
        let account = try newAccount()
        let other = try newAccount()
        let recent = try newKey(for: account)
        let old = try newKey(for: account)
        let active = try newKey(for: account)
        let othersActive = try newKey(for: other)
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = \(clock.now().addingTimeInterval(-89 * Self.day)) where id = \(recent)"
        )
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = \(clock.now().addingTimeInterval(-91 * Self.day)) where id = \(old)"
        )

        let report = try await run()

        let left = try maintenance.query("select id from kloudhub.api_keys where account_id in (\(account), \(other))")
            .decode(UUID.self)
        #expect(Set(left) == [recent, active, othersActive])
        #expect(report.counts["api_keys_purged", default: 0] >= 1)
    }

    @Test func aKeyThatExpired91DaysAgoIsPurgedAndOneOf89DaysStays() async throws {
        let account = try newAccount()
        let keys = APIKeyService(database: api)
        let longExpired = try keys.create(
            account: account, name: "old", scopes: [.read], expiresAt: clock.now().addingTimeInterval(-91 * Self.day)
        ).apiKey.id
        let recentlyExpired = try keys.create(
            account: account, name: "recent", scopes: [.read], expiresAt: clock.now().addingTimeInterval(-89 * Self.day)
        ).apiKey.id

        _ = try await run()

        let left = try maintenance.query("select id from kloudhub.api_keys where account_id = \(account)").decode(
            UUID.self)
        #expect(left == [recentlyExpired])
        #expect(!left.contains(longExpired))
    }

    // MARK: - Request logs

    func insertLog(daysAgo: Double, id: String) throws {
        try maintenance.execute(
            """
            insert into kloudhub.request_log (request_id, function_name, method, path, status, duration_ms, occurred_at)
            values (\(id), 'mcp', 'POST', '/mcp', 200, 1, \(clock.now().addingTimeInterval(-daysAgo * Self.day)))
            """)
    }

    @Test func logsOfDay89StayAndOfDay91AreDroppedWithTheirPartition() async throws {
        _ = try count("select kloudhub.create_request_log_partitions((now() at time zone 'UTC')::date - 95, 50)")
        _ = try count("select kloudhub.create_request_log_partitions((now() at time zone 'UTC')::date - 45, 46)")
        let tag = UUID().uuidString
        try insertLog(daysAgo: 89, id: tag + "-89")
        try insertLog(daysAgo: 91, id: tag + "-91")
        try insertLog(daysAgo: 90.01, id: tag + "-90")
        try insertLog(daysAgo: 0, id: tag + "-0")
        let oldPartition = try count(
            """
            select count(*) from pg_class
            where relname = 'request_log_p' || to_char((now() at time zone 'UTC')::date - 91, 'YYYYMMDD')
            """)

        let report = try await run()

        let left = try maintenance.query(
            "select request_id from kloudhub.request_log where request_id like \(tag + "%")"
        )
        .decode(String.self)
        #expect(Set(left) == [tag + "-89", tag + "-0"])
        #expect(oldPartition == 1)
        #expect(report.counts["request_log_partitions_dropped", default: 0] >= 1)
        #expect(
            try count(
                """
                select count(*) from pg_class
                where relname = 'request_log_p' || to_char((now() at time zone 'UTC')::date - 91, 'YYYYMMDD')
                """) == 0)
        #expect(
            try count(
                """
                select count(*) from pg_class
                where relname = 'request_log_p' || to_char((now() at time zone 'UTC')::date + 7, 'YYYYMMDD')
                """) == 1)
    }

    // MARK: - Erasures

    func markDeleting(_ account: UUID, minutesAgo: Double) throws {
        try maintenance.execute(
            """
            update kloudhub.accounts set status = 'deleting',
                                deletion_requested_at = \(clock.now().addingTimeInterval(-minutesAgo * 60))
            where id = \(account)
            """)
    }

    @Test func erasesAnAccountWhoseHandOffNeverArrivedAndLeavesARecentOne() async throws {
        let forgotten = try newAccount()
        let recent = try newAccount()
        try markDeleting(forgotten, minutesAgo: 20)
        try markDeleting(recent, minutesAgo: 5)

        let report = try await run()

        #expect(report.counts["erasures_started"] == 1)
        #expect(try count("select count(*) from kloudhub.accounts where id = \(forgotten)") == 0)
        #expect(try count("select count(*) from kloudhub.accounts where id = \(recent)") == 1)
        #expect(try count("select count(*) from kloudhub.deletion_records where account_id = \(recent)") == 0)
    }

    @Test func finishesAnErasureThatStalled() async throws {
        let account = try newAccount()
        let erasure = AccountErasure(database: maintenance, storage: .none, now: clock.now)
        _ = try #require(try erasure.begin(accountID: account, reason: .userRequest))
        try maintenance.execute(
            "update kloudhub.deletion_records set updated_at = \(clock.now().addingTimeInterval(-16 * 60)) where account_id = \(account)"
        )

        let report = try await run()

        #expect(report.counts["erasures_completed", default: 0] >= 1)
        #expect(try count("select count(*) from kloudhub.accounts where id = \(account)") == 0)
        #expect(try count("select count(*) from kloudhub.deletion_records where account_id = \(account)") == 0)
    }

    // MARK: - Dry run, batches, lock and deadline

    @Test func aDryRunCountsAndChangesNothing() async throws {
        let account = try newAccount()
        let old = try newKey(for: account)
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = \(clock.now().addingTimeInterval(-100 * Self.day)) where id = \(old)"
        )
        let before = try count("select count(*) from kloudhub.api_keys")

        let report = try await run(dryRun: true)

        #expect(report.isDryRun)
        #expect(report.counts["api_keys_purged", default: 0] >= 1)
        #expect(try count("select count(*) from kloudhub.api_keys") == before)
        #expect(try count("select count(*) from kloudhub.api_keys where id = \(old)") == 1)
    }

    @Test func purgesInBatchesUntilNothingIsLeft() async throws {
        let account = try newAccount()
        var ids: [UUID] = []
        for _ in 0..<7 { ids.append(try newKey(for: account)) }
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = \(clock.now().addingTimeInterval(-95 * Self.day)) where id = any(\(ids))"
        )

        let report = try await run(batchSize: 3)

        #expect(report.isComplete)
        #expect(try count("select count(*) from kloudhub.api_keys where id = any(\(ids))") == 0)
    }

    /// Much due (here all of 2,000 keys and more than a tenth of the table): the sweep reads the
    /// table page range by page range, and takes exactly the due rows.
    @Test func purgesPageByPageWhenMuchOfTheTableIsDue() async throws {
        let account = try newAccount()
        let fresh = try (0..<5).map { _ in try newKey(for: account) }
        let revokedAt = clock.now().addingTimeInterval(-95 * Self.day)
        try api.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.api_keys (account_id, kind, name, key_hash, display_prefix)
                select \(account), 'api', 'old', sha256(convert_to(g::text || \(UUID().uuidString), 'UTF8')),
                       'khk_oldkey00'
                from generate_series(1, 2000) g
                """)
        }
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = \(revokedAt) where account_id = \(account) and name = 'old'")
        // Fresh statistics, as autovacuum keeps them (ANALYZE needs the administrator).
        let database = try TestDatabase.required()
        var administrator = database.setup.adminConnectionString
        administrator["dbname"] = database.name
        try PostgresConnection.connect(to: administrator.conninfo).execute("analyze kloudhub.api_keys")

        let report = try await run(batchSize: 100)

        #expect(report.isComplete)
        #expect((report.counts["api_keys_purged"] ?? 0) >= 2000)
        #expect(try count("select count(*) from kloudhub.api_keys where account_id = \(account) and name = 'old'") == 0)
        #expect(try count("select count(*) from kloudhub.api_keys where id = any(\(fresh))") == 5)
    }

    @Test func aSecondSweepWaitsForTheFirstByTheLock() async throws {
        let database = try TestDatabase.required()
        let lock = try #require(
            try SweepLock.acquire(
                connectionString: database.connectionString(for: .maintenance), maximumHold: .seconds(60)))

        let skipped = try await run()
        lock.release()
        let after = try await run()

        #expect(!skipped.hasLock)
        #expect(skipped.counts.isEmpty)
        #expect(after.hasLock)
    }

    @Test func stopsBeforeItsDeadlineAndSaysSo() async throws {
        let account = try newAccount()
        let old = try newKey(for: account)
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = \(clock.now().addingTimeInterval(-95 * Self.day)) where id = \(old)"
        )

        let report = try await run(deadline: WorkDeadline(remaining: .zero, reserve: .zero))

        #expect(!report.isComplete)
        #expect(try count("select count(*) from kloudhub.api_keys where id = \(old)") == 1)
    }
}

extension AccountStorage {
    /// Storage with no buckets: erasures that touch no S3 object.
    static var none: AccountStorage {
        AccountStorage(
            s3: S3Client(configuration: AWSConfiguration(region: "us-east-1"), httpClient: HTTPClient()), buckets: [:])
    }
}
