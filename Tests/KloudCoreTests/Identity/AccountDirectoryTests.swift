import Foundation
import KloudCore
import KloudTestSupport
import Logging
import Testing

/// Accounts as Clerk knows them: made and kept up to date by any database role from a verified
/// session or webhook, and never made again for a Clerk user whose account was deleted.
@Suite(.database, .serialized) struct AccountDirectoryTests {
    let database: TestDatabase
    let maintenance: PostgresClient
    let clock = TestClock()

    init() throws {
        database = try TestDatabase.required()
        maintenance = database.client(as: .maintenance)
    }

    private func newUser() -> String { "user_\(UUID().uuidString.prefix(12))" }

    @Test(arguments: [DatabaseRole.api, .worker, .maintenance])
    func everyRoleMakesAndUpdatesAnAccountFromAVerifiedSession(role: DatabaseRole) throws {
        let directory = AccountDirectory(database: database.client(as: role))
        let user = newUser()

        let made = try directory.upsert(clerkUserID: user, email: "grace@example.com", name: "Grace")
        let again = try directory.upsert(clerkUserID: user, email: "grace.hopper@example.com", name: "Grace Hopper")

        #expect(made == again && !made.isDeleting)
        let stored = try maintenance.query("select email, name from kloudhub.accounts where id = \(made.id)").first
        let (email, name) = try #require(try stored?.decode((String, String).self))
        #expect(email == "grace.hopper@example.com" && name == "Grace Hopper")
    }

    @Test func theAPIRoleCanNoLongerWriteAnAccountDirectly() throws {
        let api = database.client(as: .api)
        let id = UUID()

        let error = #expect(throws: PostgresError.self) {
            try api.transaction(scopedTo: id) { transaction in
                try transaction.execute(
                    """
                    insert into kloudhub.accounts (id, clerk_user_id, email) values (\(id), 'user_direct', 'a@b.c')
                    """)
            }
        }

        #expect(error?.kind == .permissionDenied)
    }

    @Test func aDeletedPersonsSessionNeverMakesANewAccount() throws {
        let directory = AccountDirectory(database: database.client(as: .api))
        let user = newUser()
        let account = try directory.upsert(clerkUserID: user, email: "ada@example.com", name: "Ada")
        _ = try directory.requestDeletion(clerkUserID: user)
        // The erasure has run: the account's row is gone.
        try maintenance.execute("delete from kloudhub.accounts where id = \(account.id)")

        #expect(throws: AccountDirectory.Failure.erased) {
            try directory.upsert(clerkUserID: user, email: "ada@example.com", name: "Ada")
        }
        let count = try maintenance.query("select count(*) from kloudhub.accounts where clerk_user_id = \(user)")
        #expect(try count.first?.decode(Int.self) == 0)
        #expect(try directory.upsert(clerkUserID: newUser(), email: "ada@example.com", name: "Ada").id != account.id)
    }

    @Test func aDeletedUsersHashStays29DaysAndGoesAt31() async throws {
        let recent = newUser()
        let old = newUser()
        let directory = AccountDirectory(database: database.client(as: .api))
        for user in [recent, old] {
            _ = try directory.upsert(clerkUserID: user, email: "e@example.com", name: "")
            _ = try directory.requestDeletion(clerkUserID: user)
        }
        let owner = database.client(as: .owner)
        for (user, days) in [(recent, 29.0), (old, 31.0)] {
            try owner.execute(
                """
                update kloudhub.erased_clerk_users set erased_at = \(clock.now().addingTimeInterval(-days * 86_400))
                where clerk_user_hash = sha256(convert_to(\(user), 'UTF8'))
                """)
        }

        let report = try await RetentionSweep(
            database: maintenance, erasure: AccountErasure(database: maintenance, storage: .none, now: clock.now),
            now: clock.now
        ).run(isDryRun: false, deadline: .unlimited, maximumHold: .seconds(60), logger: Logger(label: "test"))

        #expect(report.counts["erased_clerk_users_deleted"] == 1)
        func kept(_ user: String) throws -> Bool {
            try maintenance.query(
                "select count(*) from kloudhub.erased_clerk_users where clerk_user_hash = sha256(convert_to(\(user), 'UTF8'))"
            ).first?.decode(Int.self) == 1
        }
        #expect(try kept(recent) && !kept(old))
    }
}
