import FoundationEssentials
import KloudCore
import LambdaRuntime

/// What the server says about itself (`Implementation`).
struct ServerInfo: Encodable, Sendable {
    var name = "kloudhub"
    var title = "KloudHub"
    var version = "1.0.0"
}

/// The server's capabilities: tools only, whose list does not change while a client uses it.
struct ServerCapabilities: Encodable, Sendable {
    struct Tools: Encodable, Sendable { var listChanged = false }
    var tools = Tools()
}

/// The result of `initialize` (handshake-era revisions).
struct InitializeResult: Encodable, Sendable {
    var protocolVersion: String
    var capabilities = ServerCapabilities()
    var serverInfo = ServerInfo()
    var instructions = ToolCatalog.instructions
}

/// The result of `server/discover` (2026-07-28).
struct DiscoverResult: Encodable, Sendable {
    var supportedVersions = ProtocolVersion.allCases.reversed().map(\.rawValue)
    var capabilities = ServerCapabilities()
    var instructions = ToolCatalog.instructions
    var ttlMs = 3_600_000
    var cacheScope = "public"
}

/// The result of `ping`, or of anything else that returns nothing.
struct EmptyResult: Encodable, Sendable {}

/// The result of `tools/list`.
struct ListToolsResult: Encodable, Sendable {
    var tools: [ToolDescription]
    var nextCursor: String?
    /// 2026-07-28's caching hints; the list is the same for every caller.
    var ttlMs: Int?
    var cacheScope: String?
}

/// A tool as `tools/list` shows it, in the shape of the negotiated revision.
struct ToolDescription: Encodable, Sendable {
    struct Annotations: Encodable, Sendable {
        var title: String
        var readOnlyHint: Bool
        var destructiveHint: Bool
        var idempotentHint: Bool
        var openWorldHint: Bool
    }

    var name: String
    var title: String?
    var description: String
    var inputSchema: JSONValue
    var outputSchema: JSONValue?
    var annotations: Annotations

    init(_ tool: Tool, version: ProtocolVersion) {
        name = tool.name
        title = version.hasStructuredContent ? tool.title : nil
        description = tool.description
        inputSchema = tool.input.json
        outputSchema = version.hasStructuredContent ? tool.outputSchema : nil
        annotations = Annotations(
            title: tool.title, readOnlyHint: tool.isReadOnly, destructiveHint: false, idempotentHint: tool.isReadOnly,
            openWorldHint: false)
    }
}

/// The result of `tools/call`: text for the model, structured content for programs.
struct CallToolResult: Encodable, Sendable {
    struct TextContent: Encodable, Sendable {
        var type = "text"
        var text: String
    }

    var content: [TextContent]
    var structuredContent: RawJSON?
    var isError: Bool

    /// A failure the model can read and act on.
    static func failure(_ message: String) -> CallToolResult {
        CallToolResult(content: [TextContent(text: message)], structuredContent: nil, isError: true)
    }
}

/// A result in 2026-07-28's shape: `resultType` and the server's identity in `_meta`.
struct ModernResult: Encodable, Sendable {
    var body: any Encodable & Sendable

    private enum CodingKeys: String, CodingKey {
        case resultType
        case meta = "_meta"
    }

    private struct Meta: Encodable {
        var serverInfo = ServerInfo()
        enum CodingKeys: String, CodingKey { case serverInfo = "io.modelcontextprotocol/serverInfo" }
    }

    func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("complete", forKey: .resultType)
        try container.encode(Meta(), forKey: .meta)
    }
}
