import FoundationEssentials
import LambdaRuntime

/// An HTTP status a function answers with.
public enum HTTPStatus: Int, Sendable {
    case ok = 200
    case created = 201
    case accepted = 202
    case noContent = 204
    case found = 302
    case seeOther = 303
    case badRequest = 400
    case unauthorized = 401
    case forbidden = 403
    case notFound = 404
    case methodNotAllowed = 405
    case conflict = 409
    case payloadTooLarge = 413
    case unprocessableContent = 422
    case unsupportedMediaType = 415
    case tooManyRequests = 429
    case internalServerError = 500
    case serviceUnavailable = 503
}

/// A request refused with a status and an error a client can act on, answered as JSON in the
/// OAuth shape `{"error": "...", "error_description": "..."}` that every endpoint shares.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    /// A short machine-readable code (`invalid_request`, `not_found`, OAuth's codes).
    public var code: String
    /// A sentence for the person or program that made the request; never internal detail.
    public var message: String
    public var headers: [String: String]

    public init(_ status: HTTPStatus, _ code: String, _ message: String, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.rawValue) \(code): \(message)" }

    /// The error as a response.
    public var response: APIGatewayV2Response {
        APIResponse.json(status, ErrorBody(error: code, errorDescription: message), headers: headers)
    }

    private struct ErrorBody: Encodable {
        var error: String
        var errorDescription: String

        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
        }
    }

    /// The answer when something inside failed: nothing of the cause is shown.
    public static let internalError = APIError(
        .internalServerError, "server_error", "KloudHub could not complete the request; try again shortly")
}

/// Responses every function builds the same way.
public enum APIResponse {
    /// Headers every API response carries: nothing is cached, nothing sniffed.
    public static let baseHeaders = ["Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"]

    /// `value` as a JSON body.
    public static func json(
        _ status: HTTPStatus, _ value: some Encodable, headers: [String: String] = [:]
    ) -> APIGatewayV2Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let body = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var all = baseHeaders
        all["Content-Type"] = "application/json"
        all.merge(headers) { _, given in given }
        return APIGatewayV2Response(statusCode: status.rawValue, headers: all, body: body)
    }

    /// `value` as a JSON body with snake_case field names, written in one pass (the REST API's
    /// resources: cloud accounts, scans, Klouds, deployments).
    public static func snakeCaseJSON(_ status: HTTPStatus, _ value: some Encodable) -> APIGatewayV2Response {
        guard let body = try? JSONStreamEncoder(keys: .snakeCase).encode(value) else {
            return APIError.internalError.response
        }
        var headers = baseHeaders
        headers["Content-Type"] = "application/json"
        return APIGatewayV2Response(
            statusCode: status.rawValue, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    /// An HTML page that no other site may frame and that loads nothing from elsewhere.
    public static func html(
        _ status: HTTPStatus, _ page: String, headers: [String: String] = [:], cookies: [String]? = nil
    ) -> APIGatewayV2Response {
        var all = baseHeaders
        all["Content-Type"] = "text/html; charset=utf-8"
        all["Content-Security-Policy"] = contentSecurityPolicy()
        all["X-Frame-Options"] = "DENY"
        all["Referrer-Policy"] = "no-referrer"
        all.merge(headers) { _, given in given }
        return APIGatewayV2Response(statusCode: status.rawValue, headers: all, cookies: cookies, body: page)
    }

    /// A redirect to `location`.
    public static func redirect(
        to location: String, status: HTTPStatus = .found, cookies: [String]? = nil
    ) -> APIGatewayV2Response {
        var all = baseHeaders
        all["Location"] = location
        all["Referrer-Policy"] = "no-referrer"
        return APIGatewayV2Response(statusCode: status.rawValue, headers: all, cookies: cookies)
    }

    /// The policy of every HTML page: nothing loaded from elsewhere, no framing, and forms sent
    /// only to this origin and to `formTargets`. Browsers hold the redirects that answer a form to
    /// `form-action` too, so a form whose answer redirects elsewhere must name that origin.
    public static func contentSecurityPolicy(formTargets: [String] = []) -> String {
        let formAction = (["'self'"] + formTargets).joined(separator: " ")
        return "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
            + "form-action \(formAction); frame-ancestors 'none'; base-uri 'none'"
    }

    /// `text` escaped for HTML text and attribute values.
    public static func escapeHTML(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
