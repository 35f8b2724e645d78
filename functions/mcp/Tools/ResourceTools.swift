import FoundationEssentials
import KloudCore

/// `list_resources` and `get_cost_summary`: the inventory the last scans found, with the
/// monthly cost of each resource.
enum ResourceTools {
    struct Listing: Encodable, Sendable {
        var resources: [ScanResults.Resource]
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
            let filter = ScanResults.ResourceFilter(
                cloudAccountID: arguments.uuid("cloud_account_id"), region: arguments.string("region"),
                resourceType: arguments.string("resource_type"), minimumMonthlyCost: arguments.money("min_monthly_cost")
            )
            let after = afterCost.map { ($0, cursor!.id) }
            let rows = try ScanResults.resources(
                filter, after: after, limit: limit + 1, accountID: context.accountID, database: context.database)
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
