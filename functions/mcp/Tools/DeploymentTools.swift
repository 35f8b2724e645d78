import FoundationEssentials
import KloudCore
import LambdaRuntime

/// `list_deployments` and `get_deployment`: plans, applies and destroys of Klouds.
enum DeploymentTools {
    struct Deployment: Encodable, Sendable {
        var id: UUID
        var kloudID: UUID
        var kloudName: String
        var cloudAccountID: UUID
        var action: String
        var status: String
        var errorCode: String?
        var errorMessage: String?
        var createdAt: Date
        var startedAt: Date?
        var finishedAt: Date?
        var durationSeconds: Int?
    }

    struct Listing: Encodable, Sendable {
        var deployments: [Deployment]
        var nextCursor: String?
    }

    struct Detail: Encodable, Sendable {
        var deployment: Deployment
        /// Terraform's plan counts (`add`, `change`, `destroy`), when a plan ran.
        var planSummary: JSONValue?
        /// The last lines of the run's log (credentials redacted when it was written).
        var logTail: String?
    }

    static let actions = ["plan", "apply", "destroy"]
    static let statuses = ["queued", "running", "succeeded", "failed", "cancelled"]

    static let deploymentSchema = OutputSchema.object(
        [
            "id": OutputSchema.uuid, "kloud_id": OutputSchema.uuid, "kloud_name": OutputSchema.string,
            "cloud_account_id": OutputSchema.uuid, "action": OutputSchema.oneOf(actions),
            "status": OutputSchema.oneOf(statuses), "error_code": OutputSchema.string,
            "error_message": OutputSchema.string, "created_at": OutputSchema.dateTime,
            "started_at": OutputSchema.dateTime,
            "finished_at": OutputSchema.dateTime, "duration_seconds": OutputSchema.integer,
        ], optional: ["error_code", "error_message", "started_at", "finished_at", "duration_seconds"])

    private static let columns = """
        d.id, d.kloud_id, k.name, d.cloud_account_id, d.action, d.status, d.error_code, d.error_message,
        d.created_at, d.started_at, d.finished_at, d.plan_summary, d.log_tail
        """

    static let list = Tool(
        name: "list_deployments", title: "List deployments",
        description: """
            Lists deployments (Terraform plan, apply or destroy of a Kloud into a cloud account), newest first, \
            with status, timings and any error code. Filter by Kloud, cloud account or status.
            """,
        input: InputSchema(
            [
                .init(name: "kloud_id", description: "Only this Kloud's deployments.", kind: .uuid),
                .init(name: "cloud_account_id", description: "Only deployments into this cloud account.", kind: .uuid),
                .init(name: "status", description: "Only deployments with this status.", kind: .oneOf(statuses)),
            ] + Page.properties()),
        outputSchema: OutputSchema.page("deployments", of: deploymentSchema),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_deployments")
            let after = try cursor.map { try Page.date($0.key) }
            let kloud = arguments.uuid("kloud_id")
            let account = arguments.uuid("cloud_account_id")
            let status = arguments.string("status")
            let rows = try context.read { transaction in
                try transaction.query(
                    """
                    select \(unsafeRaw: columns) from kloudhub.deployments d join kloudhub.klouds k on k.id = d.kloud_id
                    where (\(kloud)::uuid is null or d.kloud_id = \(kloud))
                      and (\(account)::uuid is null or d.cloud_account_id = \(account))
                      and (\(status)::text is null or d.status = \(status))
                      and (\(after)::timestamptz is null or (d.created_at, d.id) < (\(after), \(cursor?.id)))
                    order by d.created_at desc, d.id desc
                    limit \(limit + 1)
                    """
                ).map { try deployment($0).deployment }
            }
            let page = Page.split(rows, limit: limit, list: "list_deployments") { (Page.key($0.createdAt), $0.id) }
            let latest = page.rows.first.map { " The latest is a \($0.action) of \($0.kloudName), \($0.status)." } ?? ""
            return ToolOutput(
                summary: "\(page.rows.count) deployment(s) on this page.\(latest)"
                    + (page.nextCursor == nil ? "" : " More on the next page."),
                structured: Listing(deployments: page.rows, nextCursor: page.nextCursor))
        })

    static let get = Tool(
        name: "get_deployment", title: "Get a deployment",
        description: """
            Gets one deployment by id: its Kloud, cloud account, action, status, timings, error, the Terraform \
            plan summary (resources to add, change and destroy) when a plan ran, and the last lines of its log.
            """,
        input: InputSchema([
            .init(name: "deployment_id", description: "The deployment's id.", kind: .uuid, isRequired: true)
        ]),
        outputSchema: OutputSchema.object(
            ["deployment": deploymentSchema, "plan_summary": OutputSchema.anyObject, "log_tail": OutputSchema.string],
            optional: ["plan_summary", "log_tail"]),
        run: { arguments, context in
            let id = arguments.uuid("deployment_id")!
            let detail = try context.read { transaction in
                try transaction.query(
                    "select \(unsafeRaw: columns) from kloudhub.deployments d join kloudhub.klouds k on k.id = d.kloud_id where d.id = \(id)"
                ).first.map(deployment)
            }
            guard let detail else { throw ToolFailure.notFound("deployment", id: id) }
            let shown = detail.deployment
            return ToolOutput(
                summary: "\(shown.action.capitalized) of \(shown.kloudName): \(shown.status)"
                    + (shown.errorCode.map { " (\($0))" } ?? "") + ".",
                structured: detail)
        })

    private static func deployment(_ row: PostgresRow) throws -> Detail {
        let (
            id, kloudID, kloudName, accountID, action, status, errorCode, errorMessage, createdAt, startedAt,
            finishedAt, plan, logTail
        ) = try row.decode(
            (UUID, UUID, String, UUID, String, String, String?, String?, Date, Date?, Date?, PostgresJSON?, String)
                .self)
        let duration = startedAt.flatMap { start in finishedAt.map { Int($0.timeIntervalSince(start).rounded()) } }
        return Detail(
            deployment: Deployment(
                id: id, kloudID: kloudID, kloudName: kloudName, cloudAccountID: accountID, action: action,
                status: status, errorCode: errorCode, errorMessage: errorMessage, createdAt: createdAt,
                startedAt: startedAt,
                finishedAt: finishedAt, durationSeconds: duration),
            planSummary: plan.flatMap { try? $0.decode(JSONValue.self) }, logTail: logTail.isEmpty ? nil : logTail)
    }
}

extension String {
    fileprivate var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
