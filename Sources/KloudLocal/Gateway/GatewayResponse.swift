import Foundation

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
    /// response; any other JSON is sent as a 200 JSON body; anything else is a 502.
    init(functionOutput output: Data) {
        guard let parsed = try? JSONSerialization.jsonObject(with: output, options: [.fragmentsAllowed]) else {
            self = .badGateway
            return
        }
        guard let object = parsed as? [String: Any], object["statusCode"] != nil else {
            self.init(status: 200, headers: [("content-type", "application/json")], body: output)
            return
        }
        guard let status = object["statusCode"] as? Int, (100...599).contains(status) else {
            self = .badGateway
            return
        }
        var headers: [(String, String)] = []
        if let given = object["headers"] {
            guard let map = given as? [String: Any] else {
                self = .badGateway
                return
            }
            for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                headers.append((name.lowercased(), value as? String ?? "\(value)"))
            }
        }
        if let cookies = object["cookies"] {
            guard let list = cookies as? [String] else {
                self = .badGateway
                return
            }
            headers += list.map { ("set-cookie", $0) }
        }
        var body = Data()
        if let text = object["body"] as? String {
            if object["isBase64Encoded"] as? Bool == true {
                guard let decoded = Data(base64Encoded: text) else {
                    self = .badGateway
                    return
                }
                body = decoded
            } else {
                body = Data(text.utf8)
            }
        } else if object["body"] != nil && !(object["body"] is NSNull) {
            self = .badGateway
            return
        }
        if !headers.contains(where: { $0.0 == "content-type" }) && !body.isEmpty {
            headers.append(("content-type", "text/plain; charset=utf-8"))
        }
        self.init(status: status, headers: headers, body: body)
    }

    init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
