import FoundationEssentials
import KloudCore
import LambdaRuntime

/// `list_analyses` and `get_analysis`: KloudPilot's analyses and their results.
enum AnalysisTools {
    struct Analysis: Encodable, Sendable {
        var id: UUID
        var subjectKind: String
        var subjectID: UUID?
        var status: String
        var question: String
        var summary: String?
        var model: String?
        var errorCode: String?
        var createdAt: Date
        var finishedAt: Date?
    }

    struct Listing: Encodable, Sendable {
        var analyses: [Analysis]
        var nextCursor: String?
    }

    struct Detail: Encodable, Sendable {
        var analysis: Analysis
        var result: JSONValue?
    }

    static let subjects = ["account", "cloud_account", "scan", "resource", "deployment", "kloud"]
    static let statuses = ["queued", "running", "succeeded", "failed"]

    static let analysisSchema = OutputSchema.object(
        [
            "id": OutputSchema.uuid, "subject_kind": OutputSchema.oneOf(subjects), "subject_id": OutputSchema.uuid,
            "status": OutputSchema.oneOf(statuses), "question": OutputSchema.string, "summary": OutputSchema.string,
            "model": OutputSchema.string, "error_code": OutputSchema.string, "created_at": OutputSchema.dateTime,
            "finished_at": OutputSchema.dateTime,
        ], optional: ["subject_id", "summary", "model", "error_code", "finished_at"])

    private static let columns = """
        id, subject_kind, subject_id, status, question, summary, model, error_code, created_at, finished_at, result
        """

    static let list = Tool(
        name: "list_analyses", title: "List KloudPilot analyses",
        description: """
            Lists KloudPilot analyses (AI reviews of the account, a cloud account, a scan, a resource, a \
            deployment or a Kloud), newest first, with the question asked, status and summary. Use get_analysis \
            for the full result.
            """,
        input: InputSchema(
            [
                .init(
                    name: "subject_kind", description: "Only analyses of this kind of subject.", kind: .oneOf(subjects)),
                .init(name: "subject_id", description: "Only analyses of this subject.", kind: .uuid),
                .init(name: "status", description: "Only analyses with this status.", kind: .oneOf(statuses)),
            ] + Page.properties()),
        outputSchema: OutputSchema.page("analyses", of: analysisSchema),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_analyses")
            let after = try cursor.map { try Page.date($0.key) }
            let kind = arguments.string("subject_kind")
            let subject = arguments.uuid("subject_id")
            let status = arguments.string("status")
            let rows = try context.read { transaction in
                try transaction.query(
                    """
                    select \(unsafeRaw: columns) from kloudhub.analyses
                    where (\(kind)::text is null or subject_kind = \(kind))
                      and (\(subject)::uuid is null or subject_id = \(subject))
                      and (\(status)::text is null or status = \(status))
                      and (\(after)::timestamptz is null or (created_at, id) < (\(after), \(cursor?.id)))
                    order by created_at desc, id desc
                    limit \(limit + 1)
                    """
                ).map { try analysis($0).analysis }
            }
            let page = Page.split(rows, limit: limit, list: "list_analyses") { (Page.key($0.createdAt), $0.id) }
            return ToolOutput(
                summary: "\(page.rows.count) analysis(es) on this page"
                    + (page.nextCursor == nil ? "." : "; more on the next page."),
                structured: Listing(analyses: page.rows, nextCursor: page.nextCursor))
        })

    static let get = Tool(
        name: "get_analysis", title: "Get a KloudPilot analysis",
        description: """
            Gets one KloudPilot analysis by id: the question, status, summary, model, and the structured result \
            when it succeeded.
            """,
        input: InputSchema([
            .init(name: "analysis_id", description: "The analysis's id.", kind: .uuid, isRequired: true)
        ]),
        outputSchema: OutputSchema.object(
            ["analysis": analysisSchema, "result": ["type": ["object", "array"]]], optional: ["result"]),
        run: { arguments, context in
            let id = arguments.uuid("analysis_id")!
            let detail = try context.read { transaction in
                try transaction.query("select \(unsafeRaw: columns) from kloudhub.analyses where id = \(id)").first.map(
                    analysis)
            }
            guard let detail else { throw ToolFailure.notFound("analysis", id: id) }
            return ToolOutput(
                summary: "Analysis \(detail.analysis.status)"
                    + (detail.analysis.summary.map { ": \($0.prefix(300))" } ?? "."),
                structured: detail)
        })

    private static func analysis(_ row: PostgresRow) throws -> Detail {
        let (id, kind, subject, status, question, summary, model, errorCode, createdAt, finishedAt, result) =
            try row.decode(
                (UUID, String, UUID?, String, String, String?, String?, String?, Date, Date?, PostgresJSON?).self)
        return Detail(
            analysis: Analysis(
                id: id, subjectKind: kind, subjectID: subject, status: status, question: question, summary: summary,
                model: model, errorCode: errorCode, createdAt: createdAt, finishedAt: finishedAt),
            result: result.flatMap { try? $0.decode(JSONValue.self) })
    }
}
