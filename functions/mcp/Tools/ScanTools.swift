import FoundationEssentials
import KloudCore

/// `list_scans` and `get_scan`: the scans of connected accounts and how far each got.
enum ScanTools {
    struct Scan: Encodable, Sendable {
        var id: UUID
        var cloudAccountID: UUID
        var regions: [String]
        var status: String
        var regionsDone: [String]
        var resourceCount: Int
        var totalMonthlyCost: Money
        var errorCode: String?
        var createdAt: Date
        var startedAt: Date?
        var finishedAt: Date?
    }

    struct Listing: Encodable, Sendable {
        var scans: [Scan]
        var nextCursor: String?
    }

    struct Detail: Encodable, Sendable {
        var scan: Scan
        var findingCount: Int
        var totalMonthlySaving: Money
    }

    static let statuses = ["queued", "running", "succeeded", "failed", "cancelled"]

    static let scanSchema = OutputSchema.object(
        [
            "id": OutputSchema.uuid, "cloud_account_id": OutputSchema.uuid, "regions": OutputSchema.stringArray,
            "status": OutputSchema.oneOf(statuses), "regions_done": OutputSchema.stringArray,
            "resource_count": OutputSchema.integer, "total_monthly_cost": OutputSchema.money,
            "error_code": OutputSchema.string, "created_at": OutputSchema.dateTime,
            "started_at": OutputSchema.dateTime, "finished_at": OutputSchema.dateTime,
        ], optional: ["error_code", "started_at", "finished_at"])

    private static let columns = """
        id, cloud_account_id, regions, status, progress, resource_count, total_monthly_cost, error_code,
        created_at, started_at, finished_at
        """

    static let list = Tool(
        name: "list_scans", title: "List scans",
        description: """
            Lists scans of the connected AWS accounts, newest first: status (queued, running, succeeded, failed, \
            cancelled), the regions asked for and those done, resources found, their monthly cost, and any \
            error code.
            """,
        input: InputSchema(
            [
                .init(name: "cloud_account_id", description: "Only this cloud account's scans.", kind: .uuid),
                .init(name: "status", description: "Only scans with this status.", kind: .oneOf(statuses)),
            ] + Page.properties()),
        outputSchema: OutputSchema.page("scans", of: scanSchema),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_scans")
            let after = try cursor.map { try Page.date($0.key) }
            let account = arguments.uuid("cloud_account_id")
            let status = arguments.string("status")
            let rows = try context.read { transaction in
                try transaction.query(
                    """
                    select \(unsafeRaw: columns) from kloudhub.scans
                    where (\(account)::uuid is null or cloud_account_id = \(account))
                      and (\(status)::text is null or status = \(status))
                      and (\(after)::timestamptz is null or (created_at, id) < (\(after), \(cursor?.id)))
                    order by created_at desc, id desc
                    limit \(limit + 1)
                    """
                ).map(scan)
            }
            let page = Page.split(rows, limit: limit, list: "list_scans") { (Page.key($0.createdAt), $0.id) }
            let latest =
                page.rows.first.map { " The latest is \($0.status) with \($0.resourceCount) resource(s)." } ?? ""
            return ToolOutput(
                summary: "\(page.rows.count) scan(s) on this page.\(latest)"
                    + (page.nextCursor == nil ? "" : " More on the next page."),
                structured: Listing(scans: page.rows, nextCursor: page.nextCursor))
        })

    static let get = Tool(
        name: "get_scan", title: "Get a scan",
        description: """
            Gets one scan by id: its status, progress (regions done out of those asked for), resources found, \
            their monthly cost, the error code if it failed, and the number and monthly saving of the open waste \
            findings it produced.
            """,
        input: InputSchema([.init(name: "scan_id", description: "The scan's id.", kind: .uuid, isRequired: true)]),
        outputSchema: OutputSchema.object([
            "scan": scanSchema, "finding_count": OutputSchema.integer, "total_monthly_saving": OutputSchema.money,
        ]),
        run: { arguments, context in
            let id = arguments.uuid("scan_id")!
            let detail = try context.read { transaction -> Detail? in
                guard
                    let row = try transaction.query("select \(unsafeRaw: columns) from kloudhub.scans where id = \(id)")
                        .first
                else { return nil }
                let (count, saving) = try transaction.query(
                    """
                    select count(*)::bigint, coalesce(sum(monthly_saving), 0)::numeric(14, 4)
                    from kloudhub.waste_findings where scan_id = \(id) and status = 'open'
                    """
                ).first!.decode((Int, Money).self)
                return Detail(scan: try scan(row), findingCount: count, totalMonthlySaving: saving)
            }
            guard let detail else { throw ToolFailure.notFound("scan", id: id) }
            let shown = detail.scan
            return ToolOutput(
                summary: "Scan \(shown.status): \(shown.regionsDone.count) of \(shown.regions.count) region(s) done, "
                    + "\(shown.resourceCount) resource(s) costing $\(shown.totalMonthlyCost) a month, "
                    + "\(detail.findingCount) open finding(s) saving $\(detail.totalMonthlySaving) a month.",
                structured: detail)
        })

    private static func scan(_ row: PostgresRow) throws -> Scan {
        let (id, accountID, regions, status, progress, count, cost, errorCode, createdAt, startedAt, finishedAt) =
            try row.decode(
                (UUID, UUID, [String], String, PostgresJSON, Int, Money, String?, Date, Date?, Date?).self)
        return Scan(
            id: id, cloudAccountID: accountID, regions: regions, status: status,
            regionsDone: regionsDone(progress, of: regions), resourceCount: count, totalMonthlyCost: cost,
            errorCode: errorCode, createdAt: createdAt, startedAt: startedAt, finishedAt: finishedAt)
    }

    /// The regions `progress` records as done (`{"regions_done": [...]}` or a `{region: state}` map
    /// with `"done"`), kept to those the scan asked for.
    private static func regionsDone(_ progress: PostgresJSON, of regions: [String]) -> [String] {
        struct Progress: Decodable { var regionsDone: [String]? }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        if let listed = (try? progress.decode(Progress.self, using: decoder))?.regionsDone {
            return regions.filter(listed.contains)
        }
        if let states = try? progress.decode([String: String].self) {
            return regions.filter { states[$0] == "done" || states[$0] == "succeeded" }
        }
        return []
    }
}
