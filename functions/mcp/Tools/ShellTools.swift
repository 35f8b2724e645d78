import FoundationEssentials
import KloudCore

/// `list_shells`: persistent shells, metadata only (no container ids, no keys).
enum ShellTools {
    struct Shell: Encodable, Sendable {
        var id: UUID
        var cloudAccountID: UUID
        var name: String
        var status: String
        var region: String?
        var createdAt: Date
        var startedAt: Date?
        var stoppedAt: Date?
        var lastActiveAt: Date?
    }

    struct Listing: Encodable, Sendable {
        var shells: [Shell]
        var nextCursor: String?
    }

    static let statuses = ["requested", "provisioning", "running", "stopped", "failed", "deleted"]

    static let list = Tool(
        name: "list_shells", title: "List shells",
        description: """
            Lists the persistent shells (isolated containers with access to a cloud account), newest first: \
            name, status, region and when each was created, started, stopped and last active.
            """,
        input: InputSchema(
            [
                .init(name: "cloud_account_id", description: "Only this cloud account's shells.", kind: .uuid),
                .init(name: "status", description: "Only shells with this status.", kind: .oneOf(statuses)),
            ] + Page.properties()),
        outputSchema: OutputSchema.page(
            "shells",
            of: OutputSchema.object(
                [
                    "id": OutputSchema.uuid, "cloud_account_id": OutputSchema.uuid, "name": OutputSchema.string,
                    "status": OutputSchema.oneOf(statuses), "region": OutputSchema.string,
                    "created_at": OutputSchema.dateTime, "started_at": OutputSchema.dateTime,
                    "stopped_at": OutputSchema.dateTime, "last_active_at": OutputSchema.dateTime,
                ], optional: ["region", "started_at", "stopped_at", "last_active_at"])),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_shells")
            let after = try cursor.map { try Page.date($0.key) }
            let account = arguments.uuid("cloud_account_id")
            let status = arguments.string("status")
            let rows = try context.read { transaction in
                try transaction.query(
                    """
                    select id, cloud_account_id, name, status, region, created_at, started_at, stopped_at,
                           last_active_at
                    from kloudhub.shells
                    where (\(account)::uuid is null or cloud_account_id = \(account))
                      and (\(status)::text is null or status = \(status))
                      and (\(after)::timestamptz is null or (created_at, id) < (\(after), \(cursor?.id)))
                    order by created_at desc, id desc
                    limit \(limit + 1)
                    """
                ).map { row in
                    let (id, accountID, name, status, region, createdAt, startedAt, stoppedAt, activeAt) =
                        try row.decode((UUID, UUID, String, String, String?, Date, Date?, Date?, Date?).self)
                    return Shell(
                        id: id, cloudAccountID: accountID, name: name, status: status, region: region,
                        createdAt: createdAt, startedAt: startedAt, stoppedAt: stoppedAt, lastActiveAt: activeAt)
                }
            }
            let page = Page.split(rows, limit: limit, list: "list_shells") { (Page.key($0.createdAt), $0.id) }
            return ToolOutput(
                summary: page.rows.isEmpty
                    ? "There are no shells."
                    : "\(page.rows.count) shell(s): "
                        + page.rows.prefix(5).map { "\($0.name) (\($0.status))" }.joined(separator: ", ")
                        + (page.nextCursor == nil ? "." : "; more on the next page."),
                structured: Listing(shells: page.rows, nextCursor: page.nextCursor))
        })
}
