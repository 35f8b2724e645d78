import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// Anonymous client registration is bounded per source network (issue 19, item 8), against the
/// real database: 20 an hour, the 21st refused with 429 and `Retry-After`, other networks
/// untouched, and two registrations at once never both taking the last slot.
@Suite(.database, .serialized) struct RegistrationBudgetTests {
    static let body =
        #"{"redirect_uris":["https://claude.ai/api/mcp/auth_callback"],"token_endpoint_auth_method":"none"}"#
    /// 10:10:00 UTC: the window began at 10:00 and ends in 3,000 seconds.
    static let tenPastTen = Date(timeIntervalSince1970: 1_772_446_200)

    let api: PostgresClient
    let clients: ClientStore

    init() throws {
        let database = try TestDatabase.required()
        api = database.client(as: .api)
        clients = ClientStore(database: api)
    }

    func register(from source: String, at time: Date = tenPastTen) throws -> ClientRegistrationResponse {
        try clients.register(
            try ClientRegistrationRequest(json: Array(Self.body.utf8)), within: RegistrationBudget(sourceIP: source),
            now: time)
    }

    /// Spends the whole budget of `source`'s network.
    func exhaust(_ source: String, at time: Date = tenPastTen) throws {
        for _ in 0..<RegistrationBudget.registrationsPerWindow { _ = try register(from: source, at: time) }
    }

    func refusal(from source: String, at time: Date = tenPastTen) throws -> APIError {
        try #require(throws: APIError.self) { try register(from: source, at: time) }
    }

    func clientCount(registeredAt time: Date) throws -> Int {
        try #require(try api.query("select count(*) from kloudhub.oauth_clients where created_at = \(time)").first)
            .decode(Int.self)
    }

    // MARK: - The budget

    @Test func theTwentyFirstRegistrationFromOneAddressInAnHourGets429WithRetryAfterAndRegistersNothing() throws {
        let time = Self.tenPastTen.addingTimeInterval(1)
        try exhaust("203.0.113.7", at: time)

        let error = try refusal(from: "203.0.113.7", at: time)

        #expect(error.status == .tooManyRequests)
        #expect(error.code == "too_many_registrations")
        #expect(error.headers["Retry-After"] == "2999")
        #expect(try clientCount(registeredAt: time) == RegistrationBudget.registrationsPerWindow)
        let body = try JSONSerialization.jsonObject(with: Data(error.response.body?.utf8 ?? "".utf8)) as? [String: Any]
        #expect(body?["error"] as? String == "too_many_registrations")
        #expect((body?["error_description"] as? String)?.isEmpty == false)
    }

    @Test func anotherAddressKeepsItsOwnBudget() throws {
        try exhaust("198.51.100.20")

        let other = try register(from: "198.51.100.21")

        #expect(other.clientID.hasPrefix("kc_"))
    }

    @Test func theAddressesOfOneIPv6SlashSixtyFourShareOneBudget() throws {
        for host in 1...RegistrationBudget.registrationsPerWindow {
            _ = try register(from: "2001:db8:aa:1::\(String(host, radix: 16))")
        }

        let sameSite = Result { try register(from: "2001:db8:aa:1:ffff:eeee:dddd:cccc") }
        let nextSite = Result { try register(from: "2001:db8:aa:2::1") }

        #expect(throws: APIError.self) { try sameSite.get() }
        #expect(throws: Never.self) { try nextSite.get() }
    }

    @Test func theBudgetComesBackWhenTheHourEnds() throws {
        let lastSecond = Self.tenPastTen.addingTimeInterval(2999)
        try exhaust("192.0.2.55", at: lastSecond)
        let refused = try refusal(from: "192.0.2.55", at: lastSecond)

        let nextHour = Result { try register(from: "192.0.2.55", at: lastSecond.addingTimeInterval(1)) }

        #expect(refused.headers["Retry-After"] == "1")
        #expect(throws: Never.self) { try nextHour.get() }
    }

    @Test func aRegistrationWaitsForOneInFlightAndCannotTakeTheSameLastSlot() async throws {
        // Given: 19 of 20 taken, and a registration in flight holding the 20th (uncommitted).
        let database = try TestDatabase.required()
        let (source, time) = ("203.0.113.99", Self.tenPastTen.addingTimeInterval(7))
        for _ in 1..<RegistrationBudget.registrationsPerWindow { _ = try register(from: source, at: time) }
        let inFlight = try database.connection(as: .api)
        defer { inFlight.close() }
        try inFlight.execute("begin")
        let budget = RegistrationBudget(sourceIP: source)
        let tookLast = try inFlight.query(
            """
            select kloudhub.take_registration_slot(\(budget.network)::cidr,
                                                   \(RegistrationBudget.windowStart(containing: time)), 20)
            """
        ).first?.decode(Bool.self)

        // When: another registration from the same address starts meanwhile.
        let second = Task.detached { [self] in Result { try register(from: source, at: time) } }
        let didWait = try await waitUntilASessionWaitsForALock(database)
        try inFlight.execute("commit")
        let outcome = await second.value

        // Then: it waited for the first, and found the budget spent.
        #expect(tookLast == true)
        #expect(didWait)
        #expect(throws: APIError.self) { try outcome.get() }
        #expect(try clientCount(registeredAt: time) == RegistrationBudget.registrationsPerWindow - 1)
    }

    /// Whether a session of the API role waits for a lock within five seconds.
    func waitUntilASessionWaitsForALock(_ database: TestDatabase) async throws -> Bool {
        let observer = try database.connection(as: .api)
        defer { observer.close() }
        for _ in 0..<100 {
            let waiting = try observer.query(
                """
                select count(*) from pg_stat_activity
                where usename = current_user and wait_event_type = 'Lock' and pid <> pg_backend_pid()
                """
            ).first?.decode(Int.self)
            if waiting ?? 0 > 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    // MARK: - Networks and privileges

    @Test(arguments: [
        ("203.0.113.7", "203.0.113.7/32"),
        ("::ffff:203.0.113.7", "203.0.113.7/32"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("not an address", "0.0.0.0/32"),
    ])
    func countsAnIPv4AddressAloneAndAnIPv6AddressByItsSlashSixtyFour(source: String, network: String) {
        #expect(RegistrationBudget(sourceIP: source).network == network)
    }

    @Test func theAPIRoleCannotReadWhichAddressesRegistered() throws {
        _ = try register(from: "192.0.2.200")

        let error = try #require(throws: PostgresError.self) {
            try api.query("select source_network from kloudhub.registration_budgets")
        }

        #expect(error.kind == .permissionDenied)
    }
}
