import FoundationEssentials
import KloudCore
import LambdaRuntime

/// `list_klouds` and `get_kloud`: the Terraform blueprints, with sensitive variables redacted.
enum KloudTools {
    struct KloudSummary: Encodable, Sendable {
        var id: UUID
        var name: String
        var description: String
        var fileCount: Int
        var createdAt: Date
        var updatedAt: Date
    }

    struct Listing: Encodable, Sendable {
        var klouds: [KloudSummary]
        var nextCursor: String?
    }

    struct File: Encodable, Sendable {
        var path: String
        var sizeBytes: Int
        var sha256: String
        /// The text of a file kept inline; nil for one kept in S3 or over ``inlineLimit``.
        var content: String?
    }

    struct Detail: Encodable, Sendable {
        var kloud: KloudSummary
        var variables: JSONValue
        var files: [File]
    }

    /// Files larger than this are listed without their content.
    static let inlineLimit = 32 * 1024
    static let redacted = "[redacted]"

    static let summarySchema = OutputSchema.object([
        "id": OutputSchema.uuid, "name": OutputSchema.string, "description": OutputSchema.string,
        "file_count": OutputSchema.integer, "created_at": OutputSchema.dateTime, "updated_at": OutputSchema.dateTime,
    ])

    static let list = Tool(
        name: "list_klouds", title: "List Klouds",
        description: """
            Lists Klouds, KloudHub's Terraform blueprints, by name: each one's id, description and number of \
            files. Use get_kloud for a Kloud's variables and files.
            """,
        input: InputSchema(Page.properties()),
        outputSchema: OutputSchema.page("klouds", of: summarySchema),
        run: { arguments, context in
            let limit = arguments.integer("limit")
            let cursor = try Page.cursor(arguments, list: "list_klouds")
            let rows = try context.read { transaction in
                try transaction.query(
                    """
                    select k.id, k.name, k.description,
                           (select count(*) from kloudhub.kloud_files f where f.kloud_id = k.id)::bigint,
                           k.created_at, k.updated_at
                    from kloudhub.klouds k
                    where (\(cursor?.key)::text is null or (k.name, k.id) > (\(cursor?.key), \(cursor?.id)))
                    order by k.name, k.id
                    limit \(limit + 1)
                    """
                ).map(summary)
            }
            let page = Page.split(rows, limit: limit, list: "list_klouds") { ($0.name, $0.id) }
            return ToolOutput(
                summary: page.rows.isEmpty
                    ? "There are no Klouds."
                    : "\(page.rows.count) Kloud(s): \(page.rows.prefix(5).map(\.name).joined(separator: ", "))"
                        + (page.nextCursor == nil ? "." : "; more on the next page."),
                structured: Listing(klouds: page.rows, nextCursor: page.nextCursor))
        })

    static let get = Tool(
        name: "get_kloud", title: "Get a Kloud",
        description: """
            Gets one Kloud (Terraform blueprint) by id: its description, its variables (values of variables \
            marked sensitive are shown as [redacted]) and its files with their Terraform text (files over 32 KB \
            or kept in storage are listed without content).
            """,
        input: InputSchema([.init(name: "kloud_id", description: "The Kloud's id.", kind: .uuid, isRequired: true)]),
        outputSchema: OutputSchema.object([
            "kloud": summarySchema, "variables": OutputSchema.anyObject,
            "files": OutputSchema.array(
                OutputSchema.object(
                    [
                        "path": OutputSchema.string, "size_bytes": OutputSchema.integer,
                        "sha256": OutputSchema.string, "content": OutputSchema.string,
                    ], optional: ["content"])),
        ]),
        run: { arguments, context in
            let id = arguments.uuid("kloud_id")!
            let detail = try context.read { transaction -> Detail? in
                guard
                    let row = try transaction.query(
                        """
                        select k.id, k.name, k.description,
                               (select count(*) from kloudhub.kloud_files f where f.kloud_id = k.id)::bigint,
                               k.created_at, k.updated_at, k.variables
                        from kloudhub.klouds k where k.id = \(id)
                        """
                    ).first
                else { return nil }
                let files = try transaction.query(
                    """
                    select path, size_bytes, sha256, case when size_bytes <= \(inlineLimit) then content end
                    from kloudhub.kloud_files where kloud_id = \(id) order by path
                    """
                ).map { row in
                    let (path, size, hash, content) = try row.decode((String, Int, Data, String?).self)
                    return File(path: path, sizeBytes: size, sha256: hex(hash), content: content)
                }
                let (id, name, description, count, createdAt, updatedAt, variables) = try row.decode(
                    (UUID, String, String, Int, Date, Date, PostgresJSON).self)
                let kloud = KloudSummary(
                    id: id, name: name, description: description, fileCount: count, createdAt: createdAt,
                    updatedAt: updatedAt)
                return Detail(kloud: kloud, variables: redact(variables), files: files)
            }
            guard let detail else { throw ToolFailure.notFound("Kloud", id: id) }
            return ToolOutput(
                summary: "Kloud \(detail.kloud.name): \(detail.files.count) file(s): "
                    + detail.files.prefix(8).map(\.path).joined(separator: ", ") + ".",
                structured: detail)
        })

    private static func summary(_ row: PostgresRow) throws -> KloudSummary {
        let (id, name, description, count, createdAt, updatedAt) = try row.decode(
            (UUID, String, String, Int, Date, Date).self)
        return KloudSummary(
            id: id, name: name, description: description, fileCount: count, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The variables with the value of every sensitive one replaced: a variable is sensitive
    /// when its definition says `"sensitive": true`; then everything but its type, description
    /// and the flag itself is redacted.
    static func redact(_ variables: PostgresJSON) -> JSONValue {
        guard case .object(let definitions)? = try? variables.decode(JSONValue.self) else { return .object([:]) }
        var result: [String: JSONValue] = [:]
        for (name, definition) in definitions {
            guard case .object(var fields) = definition, fields["sensitive"] == .bool(true) else {
                result[name] = definition
                continue
            }
            for key in fields.keys where !["sensitive", "type", "description"].contains(key) {
                fields[key] = .string(redacted)
            }
            result[name] = .object(fields)
        }
        return .object(result)
    }

    private static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef")
        return String(data.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
