import FoundationEssentials
import KloudCore
import LambdaRuntime

/// One MCP tool: what a model reads about it, the arguments it takes, the shape of what it
/// returns, the scope it needs, and the work it does for the calling account.
struct Tool: Sendable {
    var name: String
    var title: String
    var description: String
    var input: InputSchema
    /// The JSON Schema of `structuredContent`.
    var outputSchema: JSONValue
    /// `kloudhub:read` for tools that only read; `kloudhub:write` for those that change things.
    var requiredScope: Scope = .read
    var run: @Sendable (ToolArguments, ToolContext) async throws -> ToolOutput

    var isReadOnly: Bool { requiredScope == .read }
}

/// What a tool runs with: the caller's account and the database, reached only scoped to that
/// account, by a transaction or a one-statement read (row-level security does the rest).
struct ToolContext: Sendable {
    var accountID: UUID
    var database: PostgresClient
    /// How scans are handed to the scan function; nil where the function has no AWS access.
    var scans: JobQueue?
    /// How deployments are queued for the deploy function; nil where the function has no AWS access.
    var deployments: DeploymentQueue?

    /// Runs `body` in a transaction that sees the caller's account only.
    func read<Result>(_ body: (PostgresTransaction) throws -> Result) throws -> Result {
        try database.transaction(scopedTo: accountID, body)
    }
}

/// What a tool returns: structured data matching its output schema, and a short sentence
/// that says what it found.
struct ToolOutput: Sendable {
    var summary: String
    var structured: any Encodable & Sendable
}

/// A failure the model can act on: shown as a tool result with `isError: true`.
struct ToolFailure: Error, Sendable {
    var message: String

    static func notFound(_ what: String, id: UUID) -> ToolFailure {
        ToolFailure(message: "No \(what) with id \(id.uuidString.lowercased()) exists in this KloudHub account.")
    }
}
