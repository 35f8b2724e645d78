import FoundationEssentials
import KloudCore

/// `list_cloud_accounts`: the connected AWS accounts, never their credentials, role secrets
/// or external ids (the API role cannot even select those columns).
enum CloudAccountTools {
    struct CloudAccount: Encodable, Sendable {
        var id: UUID
        var name: String
        var awsAccountID: String
        var region: String
        var authKind: String
        var status: String
        var lastErrorCode: String?
        var lastVerifiedAt: Date?
        var lastScanAt: Date?
        var createdAt: Date
    }

    struct Listing: Encodable, Sendable {
        var cloudAccounts: [CloudAccount]
        var nextCursor: String?
    }

    static let cloudAccountSchema = OutputSchema.object(
        [
            "id": OutputSchema.uuid, "name": OutputSchema.string,
            "aws_account_id": ["type": "string", "pattern": "^[0-9]{12}$"],
            "region": OutputSchema.string, "auth_kind": OutputSchema.oneOf(["role", "access_keys"]),
            "status": OutputSchema.oneOf(["pending", "connected", "error", "disconnected"]),
            "last_error_code": OutputSchema.string, "last_verified_at": OutputSchema.dateTime,
            "last_scan_at": OutputSchema.dateTime, "created_at": OutputSchema.dateTime,
        ], optional: ["last_error_code", "last_verified_at", "last_scan_at"])

    static let list = Tool(
        name: "list_cloud_accounts", title: "List connected AWS accounts",
        description: """
            Lists the AWS accounts connected to KloudHub, newest first: each one's KloudHub id (use it as \
            cloud_account_id in other tools), name, 12-digit AWS account id, home region, how it is connected \
            (an IAM role or access keys), status, and when it was last verified and last scanned. \
            Credentials are never shown.
            """,
        input: InputSchema(
            [
                .init(
                    name: "status", description: "Only accounts with this status.",
                    kind: .oneOf(["pending", "connected", "error", "disconnected"]))
            ] + Page.properties()),
        outputSchema: OutputSchema.page("cloud_accounts", of: cloudAccountSchema),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_cloud_accounts")
            let after = try cursor.map { try Page.date($0.key) }
            let status = arguments.string("status")
            let rows = try context.read { transaction in
                try transaction.query(
                    """
                    select c.id, c.name, c.aws_account_id, c.region, c.auth_kind, c.status, c.last_error_code,
                           c.last_verified_at, c.created_at,
                           (select max(s.finished_at) from kloudhub.scans s
                            where s.cloud_account_id = c.id and s.status = 'succeeded')
                    from kloudhub.cloud_accounts c
                    where (\(status)::text is null or c.status = \(status))
                      and (\(after)::timestamptz is null or (c.created_at, c.id) < (\(after), \(cursor?.id)))
                    order by c.created_at desc, c.id desc
                    limit \(limit + 1)
                    """
                ).map { row in
                    let (id, name, awsID, region, authKind, status, errorCode, verifiedAt, createdAt, scanAt) =
                        try row.decode(
                            (UUID, String, String, String, String, String, String?, Date?, Date, Date?).self)
                    return CloudAccount(
                        id: id, name: name, awsAccountID: awsID, region: region, authKind: authKind, status: status,
                        lastErrorCode: errorCode, lastVerifiedAt: verifiedAt, lastScanAt: scanAt, createdAt: createdAt)
                }
            }
            let page = Page.split(rows, limit: limit, list: "list_cloud_accounts") { (Page.key($0.createdAt), $0.id) }
            let names = page.rows.prefix(5).map { "\($0.name) (\($0.awsAccountID), \($0.status))" }
            return ToolOutput(
                summary: page.rows.isEmpty
                    ? "No AWS accounts are connected."
                    : "\(page.rows.count) AWS account(s): \(names.joined(separator: ", "))"
                        + (page.rows.count > 5 ? ", …" : "")
                        + (page.nextCursor == nil ? "." : "; more on the next page."),
                structured: Listing(cloudAccounts: page.rows, nextCursor: page.nextCursor))
        })
}
