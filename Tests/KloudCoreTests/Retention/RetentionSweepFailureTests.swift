import Foundation
import KloudCore
import KloudTestSupport
import Logging
import LoopbackServers
import Testing

/// One failing rule never stops the others (issue 19, item 7): against real Postgres and moto, an
/// erasure whose S3 step fails is reported by name while every other rule does its work, and the
/// other due erasures go on.
@Suite(.database, .serialized) struct RetentionSweepFailureTests {
    static let day: TimeInterval = 86_400
    static let redirect = "https://claude.ai/api/mcp/auth_callback"

    let api: PostgresClient
    let maintenance: PostgresClient
    let clock = TestClock()

    init() throws {
        let database = try TestDatabase.required()
        api = database.client(as: .api)
        maintenance = database.client(as: .maintenance)
    }

    func run(storage: AccountStorage, outbox: NotificationOutbox? = nil) async throws -> SweepReport {
        let sweep = RetentionSweep(
            database: maintenance, erasure: AccountErasure(database: maintenance, storage: storage, now: clock.now),
            outbox: outbox, now: clock.now)
        return try await sweep.run(
            isDryRun: false, deadline: .unlimited, maximumHold: .seconds(60), logger: Logger(label: "sweep-test"))
    }

    func newAccount() throws -> UUID {
        try AccountDirectory(database: api).upsert(
            clerkUserID: "user_" + UUID().uuidString, email: "ada@example.com", name: "Ada"
        ).id
    }

    func markDeleting(_ account: UUID, minutesAgo: Double) throws {
        try maintenance.execute(
            """
            update kloudhub.accounts set status = 'deleting',
                                deletion_requested_at = \(clock.now().addingTimeInterval(-minutesAgo * 60))
            where id = \(account)
            """)
    }

    func count(_ query: PostgresQuery) throws -> Int {
        try #require(try maintenance.query(query).first).decode(Int.self)
    }

    /// S3 and SES on moto, with a verified sender.
    func outbox() async throws -> (S3Client, NotificationOutbox) {
        let moto = try await MotoServer.shared.endpoint()
        let configuration = try moto.configuration()
        let ses = SESClient(configuration: configuration, httpClient: HTTPClient())
        let sender = "\(uniqueName("notifications"))@kloudhub.example"
        try await ses.verifyEmailIdentity(sender)
        return (
            S3Client(configuration: configuration, httpClient: HTTPClient()),
            NotificationOutbox(database: maintenance, ses: ses, sender: sender)
        )
    }

    /// A notification whose first send was refused a while ago: due again.
    func dueNotification(for account: UUID) throws -> UUID {
        let id = UUID()
        try maintenance.execute(
            """
            insert into kloudhub.notifications (id, account_id, kind, payload, idempotency_key, attempts, next_attempt_at,
                                                created_at)
            values (\(id), \(account), 'deployment_status', '{"action": "apply", "status": "succeeded"}',
                    \("due-\(id)"), 1, now() - interval '1 minute', now() - interval '5 minutes')
            """)
        return id
    }

    /// A code that expired ten minutes ago, of a client in use.
    func expiredCode(for account: UUID) throws -> UUID {
        let client = "client-" + UUID().uuidString
        try api.execute(
            """
            insert into kloudhub.oauth_clients (client_id, registration_kind, redirect_uris, last_used_at)
            values (\(client), 'dynamic', \([Self.redirect]), \(clock.now()))
            """)
        let id = UUID()
        let issued = clock.now().addingTimeInterval(-20 * 60)
        try api.transaction(scopedTo: account) { transaction in
            _ = try transaction.execute(
                """
                insert into kloudhub.oauth_codes (id, account_id, code_hash, client_id, redirect_uri, code_challenge,
                                                  expires_at, created_at)
                values (\(id), \(account), \(Data(randomBytes(32))), \(client), \(Self.redirect),
                        'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', \(issued.addingTimeInterval(600)), \(issued))
                """)
        }
        return id
    }

    @Test func aFailingErasureIsReportedWhileEveryOtherRuleDoesItsWork() async throws {
        // Given: an account to erase whose bucket is gone (its S3 step fails), and something due
        // for every other rule.
        let (s3, outbox) = try await outbox()
        let storage = AccountStorage(s3: s3, buckets: ["state": uniqueName("kh-gone")])
        let erased = try newAccount()
        try markDeleting(erased, minutesAgo: 20)
        let person = try newAccount()
        let notification = try dueNotification(for: person)
        let code = try expiredCode(for: person)
        let key = try APIKeyService(database: api).create(account: person, name: "old", scopes: [.read], expiresAt: nil)
            .apiKey.id
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = \(clock.now().addingTimeInterval(-91 * Self.day)) where id = \(key)"
        )
        let body = #"{"redirect_uris":["\#(Self.redirect)"],"token_endpoint_auth_method":"none"}"#
        let unused = try ClientStore(database: api).register(
            try ClientRegistrationRequest(json: Array(body.utf8)), within: .ofUnusedSource(),
            now: clock.now().addingTimeInterval(-31 * Self.day)
        ).clientID

        // When
        let report = try await run(storage: storage, outbox: outbox)

        // Then: the erasure rule is named, with a code and no detail; the others did their work.
        #expect(report.failures == [.accountErasures: "aws_service_error"])
        #expect(!report.isComplete)
        #expect(report.counts["erasures_failed"] == 1)
        #expect(try count("select count(*) from kloudhub.accounts where id = \(erased)") == 1)
        #expect(
            try count("select count(*) from kloudhub.notifications where id = \(notification) and status = 'sent'") == 1
        )
        #expect(report.counts["notifications_sent"] == 1)
        #expect(try count("select count(*) from kloudhub.oauth_codes where id = \(code)") == 0)
        #expect(try count("select count(*) from kloudhub.api_keys where id = \(key)") == 0)
        #expect(try count("select count(*) from kloudhub.oauth_clients where client_id = \(unused)") == 0)
        #expect(
            try count(
                """
                select count(*) from kloudhub.registration_budgets
                where window_start <= \(clock.now().addingTimeInterval(-RegistrationBudget.window))
                """) == 0)
        #expect(report.counts["registration_budgets_deleted", default: 0] >= 1)
    }

    @Test func oneFailingErasureDoesNotStopTheOtherDueErasures() async throws {
        // Given: two accounts to erase, the one first in line refused by S3 (a proxy in front of
        // moto denies its prefix, as a bucket policy would), the other with an object to delete.
        let moto = try await MotoServer.shared.endpoint()
        let refused = try newAccount()
        let erasable = try newAccount()
        try markDeleting(refused, minutesAgo: 30)
        try markDeleting(erasable, minutesAgo: 20)
        let refusedID = refused.uuidString.lowercased()
        let proxy = try AWSForwardingProxy(forwardingTo: URL(string: moto.url)!) { request, _ in
            guard request.target.contains(refusedID) else { return nil }
            return .response(
                status: 403, headers: [("Content-Type", "application/xml")],
                body: Array(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                        .utf8))
        }
        defer { proxy.stop() }
        let configuration = try AWSConfiguration(
            region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey),
            endpointURL: AWSEndpoint(url: proxy.url))
        let s3 = S3Client(configuration: configuration, httpClient: HTTPClient())
        let bucket = uniqueName("kh-state")
        try await s3.createBucket(bucket)
        try await s3.putObject(
            bucket: bucket, key: AccountStorage.prefix(for: erasable) + "state.tfstate", body: Array("{}".utf8))

        // When
        let report = try await run(storage: AccountStorage(s3: s3, buckets: ["state": bucket]))

        // Then
        #expect(try count("select count(*) from kloudhub.accounts where id = \(erasable)") == 0)
        #expect(try await s3.listAllObjects(bucket: bucket, prefix: AccountStorage.prefix(for: erasable)).isEmpty)
        #expect(try count("select count(*) from kloudhub.accounts where id = \(refused)") == 1)
        #expect(report.counts["erasures_completed"] == 1)
        #expect(report.counts["erasures_failed"] == 1)
        #expect(report.failures == [.accountErasures: "aws_service_error"])
    }
}
