import FoundationEssentials
import KloudCore
import LambdaRuntime
import Logging

/// Answers MCP requests: the lifecycle (`initialize`, `ping`, `server/discover`) and tools.
/// Keeps no state between requests: every answer follows from the request, its protocol
/// version and the caller.
struct MCPServer: Sendable {
    /// One request's setting: the revision it speaks and who sent it.
    struct Call: Sendable {
        var version: ProtocolVersion
        var caller: Caller
        var logger: Logger
    }

    var catalog: ToolCatalog
    var database: PostgresClient
    var scans: JobQueue?
    var deployments: DeploymentQueue?
    /// Tools per `tools/list` page.
    var toolsPageSize = 100

    /// The response to one request; throws only to refuse the caller (a missing scope).
    func respond(
        id: RequestID, method: String, params: [String: JSONValue], call: Call
    ) async throws(AuthenticationError) -> JSONRPCResponse {
        do {
            let result = try await result(of: method, params: params, call: call)
            return JSONRPCResponse(
                id: id, outcome: .result(call.version.isModern ? ModernResult(body: result) : result))
        } catch let error as JSONRPCError {
            return JSONRPCResponse(id: id, outcome: .error(error))
        } catch let error as AuthenticationError {
            throw error
        } catch {
            call.logger.error(
                "mcp request failed", metadata: ["method": "\(method)", "error": "\(String(reflecting: error))"])
            return JSONRPCResponse(id: id, outcome: .error(.internalError))
        }
    }

    private func result(
        of method: String, params: [String: JSONValue], call: Call
    ) async throws -> any Encodable & Sendable {
        switch method {
        case "initialize" where !call.version.isModern: return try initialize(params)
        case "ping" where !call.version.isModern: return EmptyResult()
        case "server/discover": return DiscoverResult()
        case "tools/list": return try listTools(params, version: call.version)
        case "tools/call": return try await callTool(params, call: call)
        default: throw JSONRPCError.methodNotFound(method)
        }
    }

    /// The handshake: the client's version when this server speaks it, else the newest
    /// handshake-era version (the client then decides whether to go on).
    private func initialize(_ params: [String: JSONValue]) throws(JSONRPCError) -> InitializeResult {
        guard case .string(let requested)? = params["protocolVersion"] else {
            throw .invalidParams("params.protocolVersion is required")
        }
        let version = ProtocolVersion(rawValue: requested).flatMap { $0.isModern ? nil : $0 }
        return InitializeResult(protocolVersion: (version ?? .latestHandshake).rawValue)
    }

    // MARK: - Tools

    private func listTools(
        _ params: [String: JSONValue], version: ProtocolVersion
    ) throws(JSONRPCError) -> ListToolsResult {
        var start = 0
        if let cursor = params["cursor"], cursor != .null {
            guard let text = cursor.stringValue, let bytes = Base64URL.decode(text),
                let offset = Int(String(decoding: bytes, as: UTF8.self).dropFirst(6)),
                String(decoding: bytes, as: UTF8.self).hasPrefix("tools:"), (1..<catalog.tools.count).contains(offset)
            else { throw .invalidParams("Invalid cursor: pass the nextCursor of the previous tools/list") }
            start = offset
        }
        let end = min(start + toolsPageSize, catalog.tools.count)
        return ListToolsResult(
            tools: catalog.tools[start..<end].map { ToolDescription($0, version: version) },
            nextCursor: end < catalog.tools.count ? Base64URL.encode(Array("tools:\(end)".utf8)) : nil,
            ttlMs: version.isModern ? 300_000 : nil, cacheScope: version.isModern ? "public" : nil)
    }

    private func callTool(_ params: [String: JSONValue], call: Call) async throws -> CallToolResult {
        guard case .string(let name)? = params["name"] else {
            throw JSONRPCError.invalidParams("params.name must name a tool; tools/list lists them")
        }
        guard let tool = catalog.tool(named: name) else {
            throw JSONRPCError.invalidParams("Unknown tool: \(name.prefix(100))")
        }
        var arguments: [String: JSONValue] = [:]
        switch params["arguments"] {
        case nil, .null?: break
        case .object(let object)?: arguments = object
        default: throw JSONRPCError.invalidParams("params.arguments must be an object")
        }
        try call.caller.require(tool.requiredScope)
        let validated: ToolArguments
        do {
            validated = try tool.input.validate(arguments)
        } catch {
            let message = "Invalid arguments for \(name): \(error.message)."
            guard call.version.reportsArgumentErrorsAsToolResults else {
                throw JSONRPCError(
                    code: JSONRPCError.invalidParamsCode, message: message, data: ["argument": .string(error.name)])
            }
            return .failure(message)
        }
        let output: ToolOutput
        do {
            output = try await tool.run(
                validated,
                ToolContext(
                    accountID: call.caller.accountID, database: database, scans: scans, deployments: deployments))
        } catch let failure as ToolFailure {
            return .failure(failure.message)
        } catch {
            call.logger.error("tool failed", metadata: ["tool": "\(name)", "error": "\(String(reflecting: error))"])
            return .failure("KloudHub could not read this data just now; try the same call again in a moment.")
        }
        return try Self.result(of: output, version: call.version)
    }

    /// The output as a result: the summary and the JSON for the model to read, and the same
    /// JSON as structured content where the revision has it.
    static func result(of output: ToolOutput, version: ProtocolVersion) throws -> CallToolResult {
        let json = try JSONStreamEncoder(keys: .snakeCase).encode(output.structured)
        return CallToolResult(
            content: [.init(text: output.summary + "\n\n" + String(decoding: json, as: UTF8.self))],
            structuredContent: version.hasStructuredContent ? RawJSON(bytes: json) : nil, isError: false)
    }
}
