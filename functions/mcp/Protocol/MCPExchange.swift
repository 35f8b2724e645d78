import FoundationEssentials
import KloudCore
import LambdaRuntime
import Logging

/// One authenticated POST to `/mcp`: the transport's checks (Accept, Content-Type, size,
/// `MCP-Protocol-Version`, the 2026-07-28 headers), then each message to the server.
struct MCPExchange {
    let request: APIGatewayV2Request
    let caller: Caller
    let server: MCPServer
    let logger: Logger

    func respond() async throws(AuthenticationError) -> APIGatewayV2Response {
        guard accepts(request.header("accept")) else {
            return MCPResponse.error(
                406, .invalidRequest("Not Acceptable: the Accept header must include application/json"))
        }
        guard request.mediaType == "application/json" else {
            return MCPResponse.error(415, .invalidRequest("Unsupported Media Type: the body must be application/json"))
        }
        guard let bytes = request.bodyBytes else {
            return MCPResponse.error(400, .parseError("Parse error: the body is not base64"))
        }
        guard bytes.count <= MCPFunction.bodyLimit else {
            return MCPResponse.error(413, .invalidRequest("Payload Too Large: at most \(MCPFunction.bodyLimit) bytes"))
        }
        guard let body = try? JSONValue(parsing: bytes) else {
            return MCPResponse.error(400, .parseError("Parse error: the body is not valid JSON"))
        }
        let headerVersion = request.header("mcp-protocol-version")
        var version = ProtocolVersion.assumedWithoutHeader
        if let headerVersion {
            guard let known = ProtocolVersion(rawValue: headerVersion) else {
                return MCPResponse.error(400, .unsupportedProtocolVersion(headerVersion), id: RequestID(body["id"]))
            }
            version = known
        }
        switch body {
        case .array(let messages):
            guard version.allowsBatches else {
                return MCPResponse.error(
                    400,
                    .invalidRequest(
                        "Invalid Request: JSON-RPC batches are not supported in protocol version \(version.rawValue)"))
            }
            guard !messages.isEmpty else {
                return MCPResponse.error(400, .invalidRequest("Invalid Request: an empty batch"))
            }
            return try await batch(messages, version: version)
        default:
            return try await single(IncomingMessage(body), version: version, headerVersion: headerVersion)
        }
    }

    private func single(
        _ message: IncomingMessage, version: ProtocolVersion, headerVersion: String?
    ) async throws(AuthenticationError) -> APIGatewayV2Response {
        switch message {
        case .notification, .response:
            return MCPResponse.accepted
        case .invalid(let id, let error):
            return MCPResponse.error(400, error, id: id)
        case .request(let id, let method, let params):
            if version.isModern, let headerVersion {
                do {
                    try RequestMetadata.validate(
                        method: method, params: params, headerVersion: headerVersion, request: request)
                } catch {
                    return MCPResponse.error(400, error, id: id)
                }
            } else if headerVersion == nil, RequestMetadata.carriesProtocolVersion(params) {
                return MCPResponse.error(
                    400, .headerMismatch("Header mismatch: the MCP-Protocol-Version header is required"), id: id)
            }
            let response = try await server.respond(id: id, method: method, params: params, call: call(version))
            let status = version.isModern ? (response.error?.modernHTTPStatus ?? 200) : 200
            return MCPResponse.json(status, response)
        }
    }

    /// 2025-03-26: each message answered in turn; 202 when none of them is a request.
    private func batch(
        _ values: [JSONValue], version: ProtocolVersion
    ) async throws(AuthenticationError) -> APIGatewayV2Response {
        var responses: [JSONRPCResponse] = []
        for value in values {
            switch IncomingMessage(value) {
            case .notification, .response: continue
            case .invalid(let id, let error): responses.append(JSONRPCResponse(id: id, outcome: .error(error)))
            case .request(let id, "initialize", _):
                responses.append(
                    JSONRPCResponse(id: id, outcome: .error(.invalidRequest("initialize must not be part of a batch"))))
            case .request(let id, let method, let params):
                responses.append(try await server.respond(id: id, method: method, params: params, call: call(version)))
            }
        }
        return responses.isEmpty ? MCPResponse.accepted : MCPResponse.json(200, responses)
    }

    private func call(_ version: ProtocolVersion) -> MCPServer.Call {
        MCPServer.Call(version: version, caller: caller, logger: logger)
    }

    /// Whether an `Accept` header admits a JSON response.
    private func accepts(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { range in
            let type = range.split(separator: ";").first.map { $0.trimmingASCIIWhitespace().lowercased() } ?? ""
            return type == "application/json" || type == "application/*" || type == "*/*"
        }
    }
}

/// The HTTP answers of the MCP endpoint.
enum MCPResponse {
    /// A notification or response taken: 202, no body.
    static let accepted = APIGatewayV2Response(statusCode: 202, headers: APIResponse.baseHeaders)

    /// `value` as JSON with `status`.
    static func json(_ status: Int, _ value: some Encodable) -> APIGatewayV2Response {
        let body = (try? JSONStreamEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) }
        var headers = APIResponse.baseHeaders
        headers["Content-Type"] = "application/json"
        guard let body else {
            return APIGatewayV2Response(
                statusCode: 500, headers: headers,
                body: #"{"jsonrpc":"2.0","error":{"code":-32603,"message":"KloudHub could not complete the request"}}"#)
        }
        return APIGatewayV2Response(statusCode: status, headers: headers, body: body)
    }

    /// A JSON-RPC error response with `status`.
    static func error(_ status: Int, _ error: JSONRPCError, id: RequestID? = nil) -> APIGatewayV2Response {
        json(status, JSONRPCResponse(id: id, outcome: .error(error)))
    }
}
