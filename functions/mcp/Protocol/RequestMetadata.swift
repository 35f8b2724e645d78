import FoundationEssentials
import LambdaRuntime

/// The checks 2026-07-28 makes of a request: the `Mcp-Method` and `Mcp-Name` headers mirror
/// the body, and `_meta` names the same protocol version as `MCP-Protocol-Version`, so that
/// a gateway routing on the headers and this server acting on the body never disagree.
enum RequestMetadata {
    static let protocolVersionKey = "io.modelcontextprotocol/protocolVersion"
    /// Methods whose target is mirrored in `Mcp-Name`, and the parameter it mirrors.
    static let namedMethods = ["tools/call": "name", "prompts/get": "name", "resources/read": "uri"]

    /// Throws `HeaderMismatch` unless the headers of `request` agree with its body.
    static func validate(
        method: String, params: [String: JSONValue], headerVersion: String, request: APIGatewayV2Request
    ) throws(JSONRPCError) {
        guard let methodHeader = request.header("mcp-method") else {
            throw .headerMismatch("Header mismatch: the Mcp-Method header is required")
        }
        guard methodHeader == method else {
            throw .headerMismatch("Header mismatch: Mcp-Method does not match the body's method")
        }
        if let parameter = namedMethods[method] {
            guard let nameHeader = request.header("mcp-name") else {
                throw .headerMismatch("Header mismatch: the Mcp-Name header is required for \(method)")
            }
            guard let name = decodedHeaderValue(nameHeader), params[parameter] == .string(name) else {
                throw .headerMismatch("Header mismatch: Mcp-Name does not match params.\(parameter)")
            }
        }
        guard case .object(let meta)? = params["_meta"], let bodyVersion = meta[protocolVersionKey] else {
            throw .headerMismatch("Header mismatch: params._meta must carry \(protocolVersionKey)")
        }
        guard bodyVersion == .string(headerVersion) else {
            throw .headerMismatch("Header mismatch: MCP-Protocol-Version does not match \(protocolVersionKey)")
        }
    }

    /// Whether a request's body says it is a modern one: `_meta` names a protocol version.
    static func carriesProtocolVersion(_ params: [String: JSONValue]) -> Bool {
        if case .object(let meta)? = params["_meta"] { return meta[protocolVersionKey] != nil }
        return false
    }

    /// A header value, decoded from the `=?base64?…?=` form when it has it; nil when that form
    /// does not decode to UTF-8.
    static func decodedHeaderValue(_ value: String) -> String? {
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let encoded = value.dropFirst(9).dropLast(2)
        guard let data = Data(base64Encoded: String(encoded)) else { return nil }
        return String(validating: data, as: UTF8.self)
    }
}
