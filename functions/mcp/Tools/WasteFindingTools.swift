import FoundationEssentials
import KloudCore

/// `list_waste_findings`: resources that cost money and do nothing, with what removing each
/// would save.
enum WasteFindingTools {
    struct Listing: Encodable, Sendable {
        var findings: [ScanResults.Finding]
        var totalMonthlySaving: Money
        var totalCount: Int
        var nextCursor: String?
    }

    static let statuses = ScanResults.findingStatuses

    static let findingSchema = OutputSchema.object([
        "id": OutputSchema.uuid, "resource_id": OutputSchema.uuid, "resource_arn": OutputSchema.string,
        "resource_name": OutputSchema.string, "cloud_account_id": OutputSchema.uuid, "region": OutputSchema.string,
        "rule": OutputSchema.string, "title": OutputSchema.string, "reason": OutputSchema.string,
        "monthly_saving": OutputSchema.money, "status": OutputSchema.oneOf(statuses),
        "created_at": OutputSchema.dateTime,
    ])

    static let list = Tool(
        name: "list_waste_findings", title: "List waste findings and savings",
        description: """
            Lists waste findings: resources that cost money and do nothing (an unattached volume, an idle load \
            balancer, …), largest monthly saving first, each with the rule that found it, the reason, and the \
            resource. Also gives the total monthly saving and count of all matching findings, not just this \
            page. Defaults to open findings.
            """,
        input: InputSchema(
            [
                .init(
                    name: "rule", description: "Only findings of this rule, e.g. unattached_volume.",
                    kind: .string(maxLength: 63)),
                .init(
                    name: "min_monthly_saving", description: "Only findings saving at least this many dollars a month.",
                    kind: .money),
                .init(name: "status", description: "Findings with this status (default open).", kind: .oneOf(statuses)),
                .init(name: "cloud_account_id", description: "Only this cloud account's findings.", kind: .uuid),
            ] + Page.properties()),
        outputSchema: OutputSchema.page(
            "findings", of: findingSchema,
            extra: ["total_monthly_saving": OutputSchema.money, "total_count": OutputSchema.integer]),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_waste_findings")
            let afterSaving = try cursor.map { cursor throws(ToolFailure) in
                guard let saving = Money(cursor.key) else {
                    throw ToolFailure(message: "cursor is damaged; start again")
                }
                return saving
            }
            let rule = arguments.string("rule")
            let minimum = arguments.money("min_monthly_saving")
            let status = arguments.string("status") ?? "open"
            let account = arguments.uuid("cloud_account_id")
            let filter = ScanResults.FindingFilter(
                rule: rule, minimumMonthlySaving: minimum, status: status, cloudAccountID: account)
            let after = afterSaving.map { ($0, cursor!.id) }
            let (rows, totals) = try context.read { transaction in
                (
                    try ScanResults.findings(filter, after: after, limit: limit + 1, in: transaction),
                    try ScanResults.findingTotals(filter, in: transaction)
                )
            }
            let page = Page.split(rows, limit: limit, list: "list_waste_findings") {
                ($0.monthlySaving.description, $0.id)
            }
            return ToolOutput(
                summary: totals.1 == 0
                    ? "No \(status) waste findings match."
                    : "\(totals.1) \(status) finding(s) could save $\(totals.0) a month; \(page.rows.count) on this page"
                        + (page.nextCursor == nil ? "." : ", more on the next page."),
                structured: Listing(
                    findings: page.rows, totalMonthlySaving: totals.0, totalCount: totals.1,
                    nextCursor: page.nextCursor))
        })
}
