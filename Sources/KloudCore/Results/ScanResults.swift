import FoundationEssentials

/// What the latest completed scan of each cloud account found, read one way for REST (scan)
/// and MCP (mcp): resources with their monthly cost, cost totals, waste findings. Every query
/// is scoped to the caller's account: a one-statement read in one round trip
/// (``PostgresClient/read(scopedTo:_:)``), or the caller's transaction where two statements
/// must see the same data.
public enum ScanResults {
    /// Only rows of each cloud account's latest completed scan.
    static let latestScans = "select latest_scan_id from kloudhub.cloud_accounts where latest_scan_id is not null"

    // MARK: resources

    public struct Resource: Encodable, Sendable, Equatable {
        public var id: UUID
        public var cloudAccountID: UUID
        public var arn: String
        public var resourceType: String
        public var name: String
        public var region: String
        public var monthlyCost: Money
        public var tags: [String: String]
        public var lastSeenAt: Date
    }

    public struct ResourceFilter: Sendable {
        public var cloudAccountID: UUID?
        public var region: String?
        public var resourceType: String?
        public var minimumMonthlyCost: Money?

        public init(
            cloudAccountID: UUID? = nil, region: String? = nil, resourceType: String? = nil,
            minimumMonthlyCost: Money? = nil
        ) {
            self.cloudAccountID = cloudAccountID
            self.region = region
            self.resourceType = resourceType
            self.minimumMonthlyCost = minimumMonthlyCost
        }
    }

    /// Up to `limit` of the account's resources, most expensive first, after the resource
    /// `after` (its cost and id). Each cloud account's latest scan is read through the
    /// (account, scan, cost, id) index, so a page reads about a page of rows per cloud account.
    public static func resources(
        _ filter: ResourceFilter, after: (cost: Money, id: UUID)?, limit: Int, accountID: UUID,
        database: PostgresClient
    ) throws -> [Resource] {
        // resource_page (migration 0014) keeps its plan per connection; planning the statement
        // on every call was 40 % of a page's cost.
        try database.read(
            scopedTo: accountID,
            """
            select id, cloud_account_id, arn, resource_type, name, region, monthly_cost, last_seen_at, tag_keys,
                   tag_values
            from kloudhub.resource_page(\(filter.cloudAccountID), \(filter.region), \(filter.resourceType),
                                        \(filter.minimumMonthlyCost), \(after?.cost), \(after?.id), \(limit))
            """
        ).map { row in
            let (id, cloudAccountID, arn, type, name, region, cost, seenAt, tagKeys, tagValues) = try row.decode(
                (UUID, UUID, String, String, String, String, Money, Date, [String], [String]).self)
            return Resource(
                id: id, cloudAccountID: cloudAccountID, arn: arn, resourceType: type, name: name, region: region,
                monthlyCost: cost, tags: Dictionary(zip(tagKeys, tagValues)) { first, _ in first }, lastSeenAt: seenAt)
        }
    }

    // MARK: cost totals

    public enum CostGrouping: String, Sendable, CaseIterable {
        case service, region
        case cloudAccount = "cloud_account"
    }

    public struct CostGroup: Encodable, Sendable, Equatable {
        public var key: String
        /// The cloud account's name, when grouped by cloud account.
        public var name: String?
        public var monthlyCost: Money
        public var resourceCount: Int
    }

    /// The account's monthly cost totals grouped by service (the resource type's part before
    /// the colon), region or cloud account, most expensive first.
    public static func costGroups(
        by grouping: CostGrouping, cloudAccountID: UUID?, accountID: UUID, database: PostgresClient
    ) throws -> [CostGroup] {
        try database.read(
            scopedTo: accountID,
            """
            select g.key, c.name, g.cost, g.count
            from (select case \(grouping.rawValue)
                             when 'region' then r.region
                             when 'cloud_account' then r.cloud_account_id::text
                             else split_part(r.resource_type, ':', 1) end as key,
                         sum(r.monthly_cost) as cost, count(*)::bigint as count
                  from kloudhub.resources r
                  where r.scan_id in (\(unsafeRaw: latestScans))
                    and (\(cloudAccountID)::uuid is null or r.cloud_account_id = \(cloudAccountID))
                  group by 1) g
            left join kloudhub.cloud_accounts c on \(grouping.rawValue) = 'cloud_account' and c.id::text = g.key
            order by g.cost desc, g.key
            """
        ).map { row in
            let (key, name, cost, count) = try row.decode((String, String?, Money, Int).self)
            return CostGroup(key: key, name: name, monthlyCost: cost, resourceCount: count)
        }
    }

    // MARK: waste findings

    public static let findingStatuses = ["open", "dismissed", "resolved"]

    public struct Finding: Encodable, Sendable, Equatable {
        public var id: UUID
        public var resourceID: UUID
        public var resourceArn: String
        public var resourceName: String
        public var cloudAccountID: UUID
        public var region: String
        public var rule: String
        public var title: String
        public var reason: String
        public var monthlySaving: Money
        public var status: String
        public var createdAt: Date
    }

    public struct FindingFilter: Sendable {
        public var rule: String?
        public var minimumMonthlySaving: Money?
        public var status: String
        public var cloudAccountID: UUID?

        public init(
            rule: String? = nil, minimumMonthlySaving: Money? = nil, status: String = "open",
            cloudAccountID: UUID? = nil
        ) {
            self.rule = rule
            self.minimumMonthlySaving = minimumMonthlySaving
            self.status = status
            self.cloudAccountID = cloudAccountID
        }
    }

    /// Up to `limit` findings, largest saving first, after the finding `after` (its saving and id).
    public static func findings(
        _ filter: FindingFilter, after: (saving: Money, id: UUID)?, limit: Int, in transaction: PostgresTransaction
    ) throws -> [Finding] {
        try transaction.query(
            """
            select f.id, f.resource_id, r.arn, r.name, r.cloud_account_id, r.region, f.kind, f.title,
                   f.reason, f.monthly_saving, f.status, f.created_at
            from kloudhub.waste_findings f join kloudhub.resources r on r.id = f.resource_id
            where f.scan_id in (\(unsafeRaw: latestScans))
              and f.status = \(filter.status) and (\(filter.rule)::text is null or f.kind = \(filter.rule))
              -- In whole ten-thousandths (migration 0015): numeric comparisons are not leakproof, so
              -- under row-level security they could only filter, never bound the index scan.
              and f.monthly_saving_units >= coalesce(kloudhub.cost_units(\(filter.minimumMonthlySaving), true), 0)
              and (\(filter.cloudAccountID)::uuid is null or r.cloud_account_id = \(filter.cloudAccountID))
              and (f.monthly_saving_units, f.id)
                  < (coalesce(kloudhub.cost_units(\(after?.saving), false), 9223372036854775807),
                     coalesce(\(after?.id), 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
            order by f.monthly_saving_units desc, f.id desc
            limit \(limit)
            """
        ).map { row in
            let (id, resourceID, arn, name, accountID, region, rule, title, reason, saving, status, createdAt) =
                try row.decode(
                    (UUID, UUID, String, String, UUID, String, String, String, String, Money, String, Date).self)
            return Finding(
                id: id, resourceID: resourceID, resourceArn: arn, resourceName: name, cloudAccountID: accountID,
                region: region, rule: rule, title: title, reason: reason, monthlySaving: saving, status: status,
                createdAt: createdAt)
        }
    }

    /// The saving and count of every finding the filter matches, not one page.
    public static func findingTotals(
        _ filter: FindingFilter, in transaction: PostgresTransaction
    ) throws -> (monthlySaving: Money, count: Int) {
        let (saving, count) = try transaction.query(
            """
            select coalesce(sum(f.monthly_saving), 0)::numeric(14, 4), count(*)::bigint
            from kloudhub.waste_findings f join kloudhub.resources r on r.id = f.resource_id
            where f.scan_id in (\(unsafeRaw: latestScans))
              and f.status = \(filter.status) and (\(filter.rule)::text is null or f.kind = \(filter.rule))
              and (\(filter.minimumMonthlySaving)::numeric is null or f.monthly_saving >= \(filter.minimumMonthlySaving))
              and (\(filter.cloudAccountID)::uuid is null or r.cloud_account_id = \(filter.cloudAccountID))
            """
        ).first!.decode((Money, Int).self)
        return (saving, count)
    }
}
