import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// Pages of resources (`resource_page`, read by list_resources and the REST API): every
/// resource once, most expensive first, the filters applied, and a page deep in the list read
/// through the index without the rows before it. Serialized: the deep-page test counts the
/// index's reads, and another test paging the same database at the same time adds its own.
@Suite(.database, .serialized) struct ResourcePageTests {
    static let resourceCount = 2_000
    static let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]

    private let api: PostgresClient
    private let worker: PostgresClient
    private let maintenance: PostgresClient
    private let accountID: UUID
    private let scanID = UUID()

    init() throws {
        let database = try TestDatabase.required()
        api = database.client(as: .api)
        worker = database.client(as: .worker)
        maintenance = database.client(as: .maintenance)
        accountID = try AccountDirectory(database: api).upsert(
            clerkUserID: "user_\(UUID().uuidString.prefix(8))", email: "pages@example.com", name: "Pages"
        ).id
        try seed()
    }

    /// One cloud account whose latest scan found `resourceCount` resources; costs repeat, so
    /// pages must break ties by id.
    private func seed() throws {
        let cloudAccountID = UUID()
        try worker.transaction(scopedTo: accountID) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn,
                                            external_id, status)
                values (\(cloudAccountID), \(accountID), '123456789012', 'pages', 'us-east-1', 'role',
                        'arn:aws:iam::123456789012:role/KloudHub', 'external-id', 'connected')
                """)
            try transaction.execute(
                """
                insert into kloudhub.scans (id, account_id, cloud_account_id, regions)
                values (\(scanID), \(accountID), \(cloudAccountID), \(Self.regions))
                """)
            try transaction.execute(
                """
                insert into kloudhub.resources (account_id, cloud_account_id, scan_id, arn, resource_type, name, region,
                                       monthly_cost)
                select \(accountID), \(cloudAccountID), \(scanID), 'arn:aws:ec2:::instance/i-' || n, 'ec2:instance',
                       'instance ' || n, (\(Self.regions)::text[])[1 + n % 3], ((n * 7919) % 1500) / 4.0
                from generate_series(1, \(Self.resourceCount)) as n
                """)
            try transaction.execute(
                "update kloudhub.cloud_accounts set latest_scan_id = \(scanID) where id = \(cloudAccountID)")
        }
    }

    /// The resources' ids as the page order defines it, read directly from the table.
    private func expectedOrder(region: String? = nil, minimumCost: Money? = nil) throws -> [UUID] {
        try worker.transaction(scopedTo: accountID) { transaction in
            try transaction.query(
                """
                select id from kloudhub.resources
                where scan_id = \(scanID) and (\(region)::text is null or region = \(region))
                  and monthly_cost >= coalesce(\(minimumCost)::numeric, 0)
                order by monthly_cost desc, id desc
                """
            ).map { try $0.decode(UUID.self) }
        }
    }

    /// Every page of `filter`, `limit` at a time, each after the last row of the one before.
    private func allPages(_ filter: ScanResults.ResourceFilter, limit: Int) throws -> [ScanResults.Resource] {
        var all: [ScanResults.Resource] = []
        while true {
            let after = all.last.map { ($0.monthlyCost, $0.id) }
            let page = try ScanResults.resources(
                filter, after: after, limit: limit, accountID: accountID, database: api)
            all += page
            if page.count < limit { return all }
        }
    }

    @Test func pagesReturnEveryResourceOnceMostExpensiveFirst() throws {
        let listed = try allPages(.init(), limit: 50)

        #expect(listed.count == Self.resourceCount)
        #expect(listed.map(\.id) == (try expectedOrder()))
    }

    @Test func regionAndMinimumCostFilterEveryPage() throws {
        let minimum = try #require(Money("200.25"))
        let listed = try allPages(.init(region: "eu-west-1", minimumMonthlyCost: minimum), limit: 37)

        #expect(!listed.isEmpty)
        #expect(listed.allSatisfy { $0.region == "eu-west-1" && $0.monthlyCost >= minimum })
        #expect(listed.map(\.id) == (try expectedOrder(region: "eu-west-1", minimumCost: minimum)))
    }

    /// The cursor bounds the index scan under row-level security: a page after the 1,000th
    /// resource reads about one page of index entries, not the 1,000 before it.
    @Test func aDeepPageReadsOnlyItsOwnIndexEntries() throws {
        let order = try expectedOrder()
        let previous = try #require(
            try ScanResults.resources(
                .init(), after: nil, limit: 1_000, accountID: accountID, database: api
            ).last)
        #expect(previous.id == order[999])

        let before = try indexEntriesRead()
        let page = try ScanResults.resources(
            .init(), after: (previous.monthlyCost, previous.id), limit: 50, accountID: accountID, database: api)
        let read = try indexEntriesRead() - before

        #expect(page.map(\.id) == Array(order[1_000..<1_050]))
        #expect(read <= 60, "a page of 50 read \(read) index entries")
    }

    /// Index entries read from the resources' page index so far, counting the api connection's
    /// latest statements (its pending statistics are flushed first).
    private func indexEntriesRead() throws -> Int {
        _ = try api.read("select pg_stat_force_next_flush()")
        return try #require(
            try maintenance.query(
                "select idx_tup_read from pg_stat_user_indexes where indexrelname = 'resources_scan_cost_idx'"
            ).first
        ).decode(Int.self)
    }
}
