import FoundationEssentials
import LambdaRuntime

/// A JSON-RPC request id: a string or an integer (MCP forbids null).
enum RequestID: Encodable, Sendable, Hashable {
    case string(String)
    case number(Int64)

    /// The id a message carries, or nil when it is absent, null or not a string or integer.
    init?(_ value: JSONValue?) {
        switch value {
        case .string(let text)?: self = .string(text)
        case .number(let number)? where number.rounded() == number && abs(number) < 9.0e15:
            self = .number(Int64(number))
        default: return nil
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        }
    }
}

/// A JSON-RPC error object, with the codes JSON-RPC and MCP define.
struct JSONRPCError: Error, Encodable, Sendable {
    var code: Int
    var message: String
    var data: JSONValue?

    static let parseErrorCode = -32700
    static let invalidRequestCode = -32600
    static let methodNotFoundCode = -32601
    static let invalidParamsCode = -32602
    static let internalErrorCode = -32603
    /// 2026-07-28: the HTTP headers do not match the body, or a required one is missing.
    static let headerMismatchCode = -32020
    /// 2026-07-28: the requested protocol version is not supported.
    static let unsupportedProtocolVersionCode = -32022

    static func parseError(_ message: String) -> JSONRPCError { .init(code: parseErrorCode, message: message) }
    static func invalidRequest(_ message: String) -> JSONRPCError { .init(code: invalidRequestCode, message: message) }
    static func methodNotFound(_ method: String) -> JSONRPCError {
        .init(code: methodNotFoundCode, message: "Method not found: \(method.prefix(100))")
    }
    static func invalidParams(_ message: String) -> JSONRPCError { .init(code: invalidParamsCode, message: message) }
    static func headerMismatch(_ message: String) -> JSONRPCError { .init(code: headerMismatchCode, message: message) }
    static let internalError = JSONRPCError(
        code: internalErrorCode, message: "KloudHub could not complete the request; try again shortly")

    static func unsupportedProtocolVersion(_ requested: String) -> JSONRPCError {
        JSONRPCError(
            code: unsupportedProtocolVersionCode, message: "Unsupported protocol version",
            data: .object([
                "supported": .array(ProtocolVersion.allCases.reversed().map { .string($0.rawValue) }),
                "requested": .string(String(requested.prefix(100))),
            ]))
    }

    /// The HTTP status a modern (2026-07-28) server answers this error with; handshake-era
    /// answers keep 200 for errors of a well-formed request.
    var modernHTTPStatus: Int {
        switch code {
        case Self.methodNotFoundCode: 404
        case Self.headerMismatchCode, Self.unsupportedProtocolVersionCode, Self.parseErrorCode,
            Self.invalidRequestCode:
            400
        default: 200
        }
    }
}

/// One JSON-RPC message a client sent, as the server must treat it.
enum IncomingMessage {
    case request(id: RequestID, method: String, params: [String: JSONValue])
    case notification(method: String)
    /// A response to a server request; this server sends none, so it is only acknowledged.
    case response
    /// Not a valid message; `id` is the id it carried, if one could be read.
    case invalid(id: RequestID?, error: JSONRPCError)

    init(_ value: JSONValue) {
        guard case .object(let members) = value else {
            self = .invalid(id: nil, error: .invalidRequest("a JSON-RPC message must be an object"))
            return
        }
        let id = RequestID(members["id"])
        guard members["jsonrpc"] == .string("2.0") else {
            self = .invalid(id: id, error: .invalidRequest("jsonrpc must be \"2.0\""))
            return
        }
        guard let methodValue = members["method"] else {
            let isResponse = id != nil && (members["result"] != nil) != (members["error"] != nil)
            self = isResponse ? .response : .invalid(id: id, error: .invalidRequest("method is required"))
            return
        }
        guard case .string(let method) = methodValue, !method.isEmpty else {
            self = .invalid(id: id, error: .invalidRequest("method must be a non-empty string"))
            return
        }
        var params: [String: JSONValue] = [:]
        switch members["params"] {
        case nil: break
        case .object(let object)?: params = object
        default:
            self = .invalid(id: id, error: .invalidRequest("params must be an object"))
            return
        }
        if members["id"] == nil {
            self = .notification(method: method)
        } else if let id {
            self = .request(id: id, method: method, params: params)
        } else {
            self = .invalid(id: nil, error: .invalidRequest("id must be a string or an integer"))
        }
    }
}

/// A JSON-RPC response the server sends.
struct JSONRPCResponse: Encodable, Sendable {
    var id: RequestID?
    var outcome: Outcome

    enum Outcome: Sendable {
        case result(any Encodable & Sendable)
        case error(JSONRPCError)
    }

    private enum CodingKeys: String, CodingKey { case jsonrpc, id, result, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        switch outcome {
        case .result(let result):
            try container.encode(id, forKey: .id)
            try container.encode(result, forKey: .result)
        case .error(let error):
            try container.encodeIfPresent(id, forKey: .id)
            try container.encode(error, forKey: .error)
        }
    }

    var error: JSONRPCError? {
        if case .error(let error) = outcome { return error }
        return nil
    }
}
