import FoundationEssentials
import KloudCore

/// `get_cost_summary`: monthly cost totals of the scanned resources, grouped.
enum CostTools {
    struct Summary: Encodable, Sendable {
        var groupBy: String
        var totalMonthlyCost: Money
        var resourceCount: Int
        var groups: [ScanResults.CostGroup]
    }

    static let summary = Tool(
        name: "get_cost_summary", title: "Summarize monthly cost",
        description: """
            Totals the monthly cost (US dollars) of the resources KloudHub's scans found, grouped by AWS \
            service (the part of the resource type before the colon, e.g. ec2), by region, or by cloud account, \
            most expensive group first, with the grand total and resource counts. Optionally for one cloud \
            account only.
            """,
        input: InputSchema([
            .init(
                name: "group_by", description: "How to group the totals (default service).",
                kind: .oneOf(["service", "region", "cloud_account"])),
            .init(name: "cloud_account_id", description: "Only this cloud account's resources.", kind: .uuid),
        ]),
        outputSchema: OutputSchema.object([
            "group_by": OutputSchema.oneOf(["service", "region", "cloud_account"]),
            "total_monthly_cost": OutputSchema.money, "resource_count": OutputSchema.integer,
            "groups": OutputSchema.array(
                OutputSchema.object(
                    [
                        "key": OutputSchema.string, "name": OutputSchema.string,
                        "monthly_cost": OutputSchema.money, "resource_count": OutputSchema.integer,
                    ], optional: ["name"])),
        ]),
        run: { arguments, context in
            let groupBy = arguments.string("group_by") ?? "service"
            let account = arguments.uuid("cloud_account_id")
            let grouping = ScanResults.CostGrouping(rawValue: groupBy) ?? .service
            let groups = try ScanResults.costGroups(
                by: grouping, cloudAccountID: account, accountID: context.accountID, database: context.database)
            let total = groups.reduce(Money.zero) { $0 + $1.monthlyCost }
            let count = groups.reduce(0) { $0 + $1.resourceCount }
            let top = groups.prefix(3).map { "\($0.name ?? $0.key) $\($0.monthlyCost)" }
            return ToolOutput(
                summary: "Monthly cost $\(total) over \(count) resource(s)"
                    + (top.isEmpty ? "." : "; largest by \(groupBy): \(top.joined(separator: ", "))."),
                structured: Summary(groupBy: groupBy, totalMonthlyCost: total, resourceCount: count, groups: groups))
        })
}
