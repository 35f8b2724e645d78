import Foundation
import LambdaRuntime

/// Turns a function's result into the HTTP response API Gateway would send (payload 2.0).
struct GatewayResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data

    static func message(_ status: Int, _ text: String) -> GatewayResponse {
        let body = (try? JSONSerialization.data(withJSONObject: ["message": text])) ?? Data()
        return GatewayResponse(status: status, headers: [("content-type", "application/json")], body: body)
    }

    static let notFound = message(404, "Not Found")
    static let badGateway = message(502, "Internal Server Error")
    static let serviceUnavailable = message(503, "Service Unavailable")
    static let payloadTooLarge = message(413, "Request Entity Too Large")

    /// The response for a function's output: an object with `statusCode` is a structured
    /// response; any other JSON is sent as a 200 JSON body; anything else is a 502. Read with
    /// ``JSONValue/init(parsing:)``: `JSONSerialization` took several milliseconds, and
    /// `JSONDecoder` about one, to unescape the body of a large response (a JSON text inside a
    /// JSON string).
    init(functionOutput output: Data) {
        guard let parsed = try? JSONValue(parsing: output) else {
            self = .badGateway
            return
        }
        guard case .object(let object) = parsed, let statusCode = object["statusCode"] else {
            self.init(status: 200, headers: [("content-type", "application/json")], body: output)
            return
        }
        guard let status = statusCode.intValue, (100...599).contains(status) else {
            self = .badGateway
            return
        }
        var headers: [(String, String)] = []
        if let given = object["headers"] {
            guard case .object(let map) = given else {
                self = .badGateway
                return
            }
            for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                headers.append((name.lowercased(), Self.headerText(value)))
            }
        }
        if let cookies = object["cookies"] {
            guard case .array(let list) = cookies, list.allSatisfy({ $0.stringValue != nil }) else {
                self = .badGateway
                return
            }
            headers += list.compactMap(\.stringValue).map { ("set-cookie", $0) }
        }
        var body = Data()
        switch object["body"] {
        case .string(let text):
            if object["isBase64Encoded"] == .bool(true) {
                guard let decoded = Data(base64Encoded: text) else {
                    self = .badGateway
                    return
                }
                body = decoded
            } else {
                body = Data(text.utf8)
            }
        case nil, .null: break
        default:
            self = .badGateway
            return
        }
        if !headers.contains(where: { $0.0 == "content-type" }) && !body.isEmpty {
            headers.append(("content-type", "text/plain; charset=utf-8"))
        }
        self.init(status: status, headers: headers, body: body)
    }

    /// A header's value as text: strings as they are, numbers and booleans as written.
    private static func headerText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): number.rounded() == number && abs(number) < 9e15 ? String(Int(number)) : "\(number)"
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .array, .object: (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? ""
        }
    }

    init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
