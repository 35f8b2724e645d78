import FoundationEssentials
import KloudCore

/// `list_resources` and `get_cost_summary`: the inventory the last scans found, with the
/// monthly cost of each resource.
enum ResourceTools {
    struct Resource: Encodable, Sendable {
        var id: UUID
        var cloudAccountID: UUID
        var arn: String
        var resourceType: String
        var name: String
        var region: String
        var monthlyCost: Money
        var tags: [String: String]
        var lastSeenAt: Date
    }

    struct Listing: Encodable, Sendable {
        var resources: [Resource]
        var nextCursor: String?
    }

    static let resourceSchema = OutputSchema.object([
        "id": OutputSchema.uuid, "cloud_account_id": OutputSchema.uuid, "arn": OutputSchema.string,
        "resource_type": OutputSchema.string, "name": OutputSchema.string, "region": OutputSchema.string,
        "monthly_cost": OutputSchema.money,
        "tags": ["type": "object", "additionalProperties": ["type": "string"]],
        "last_seen_at": OutputSchema.dateTime,
    ])

    static let list = Tool(
        name: "list_resources", title: "List cloud resources and their monthly cost",
        description: """
            Lists the AWS resources KloudHub's scans found, most expensive first, with each one's ARN, type \
            (service:kind, e.g. ec2:instance), name, region, monthly cost in US dollars and tags. Filter by \
            cloud account, region, type or minimum monthly cost. Paginated: pass next_cursor back as cursor.
            """,
        input: InputSchema(
            [
                .init(name: "cloud_account_id", description: "Only this cloud account's resources.", kind: .uuid),
                .init(
                    name: "region", description: "Only this region (e.g. eu-west-1, or global).",
                    kind: .string(maxLength: 64)),
                .init(
                    name: "resource_type", description: "Only this type, e.g. ec2:instance or s3:bucket.",
                    kind: .string(maxLength: 128)),
                .init(
                    name: "min_monthly_cost", description: "Only resources costing at least this many dollars a month.",
                    kind: .money),
            ] + Page.properties(defaultLimit: 50)),
        outputSchema: OutputSchema.page("resources", of: resourceSchema),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_resources")
            let afterCost = try cursor.map { cursor throws(ToolFailure) in
                guard let cost = Money(cursor.key) else { throw ToolFailure(message: "cursor is damaged; start again") }
                return cost
            }
            let account = arguments.uuid("cloud_account_id")
            let region = arguments.string("region")
            let type = arguments.string("resource_type")
            let minimum = arguments.money("min_monthly_cost")
            let rows = try context.read { transaction in
                try transaction.query(
                    """
                    select id, cloud_account_id, arn, resource_type, name, region, monthly_cost, last_seen_at,
                           tag_keys, tag_values
                    from resources
                    cross join lateral (
                        select coalesce(array_agg(key order by key), '{}') as tag_keys,
                               coalesce(array_agg(value #>> '{}' order by key), '{}') as tag_values
                        from jsonb_each(tags) where jsonb_typeof(value) = 'string') as string_tags
                    where scan_id in (select latest_scan_id from cloud_accounts where latest_scan_id is not null)
                      and (\(account)::uuid is null or cloud_account_id = \(account))
                      and (\(region)::text is null or region = \(region))
                      and (\(type)::text is null or resource_type = \(type))
                      and (\(minimum)::numeric is null or monthly_cost >= \(minimum))
                      and (\(afterCost)::numeric is null or (monthly_cost, id) < (\(afterCost), \(cursor?.id)))
                    order by monthly_cost desc, id desc
                    limit \(limit + 1)
                    """
                ).map { row in
                    let (id, cloudAccountID, arn, type, name, region, cost, seenAt, tagKeys, tagValues) =
                        try row.decode(
                            (UUID, UUID, String, String, String, String, Money, Date, [String], [String]).self)
                    return Resource(
                        id: id, cloudAccountID: cloudAccountID, arn: arn, resourceType: type, name: name,
                        region: region, monthlyCost: cost,
                        tags: Dictionary(zip(tagKeys, tagValues)) { first, _ in first }, lastSeenAt: seenAt)
                }
            }
            let page = Page.split(rows, limit: limit, list: "list_resources") { ($0.monthlyCost.description, $0.id) }
            let total = page.rows.reduce(Money.zero) { $0 + $1.monthlyCost }
            return ToolOutput(
                summary: page.rows.isEmpty
                    ? "No resources match."
                    : "\(page.rows.count) resource(s) on this page, costing $\(total) a month together"
                        + (page.nextCursor == nil ? "." : "; more on the next page."),
                structured: Listing(resources: page.rows, nextCursor: page.nextCursor))
        })
}
