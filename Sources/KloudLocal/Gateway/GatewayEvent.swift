import Foundation
import LambdaRuntime

/// Builds the payload 2.0 event API Gateway sends for an HTTP request.
struct GatewayEvent {
    var method: String
    /// The path as the client sent it, still percent-encoded.
    var rawPath: String
    var rawQuery: String
    /// Header fields in arrival order, names as sent.
    var headers: [(name: String, value: String)]
    var body: Data
    var sourceIP: String
    var accountID: String
    var match: RouteTable.Match

    /// Content types API Gateway passes as text; any other body is base64-encoded.
    static func isText(contentType: String?) -> Bool {
        guard let type = contentType?.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
        else {
            return true
        }
        return type.hasPrefix("text/") || type == "application/json" || type.hasSuffix("+json")
            || type == "application/xml" || type.hasSuffix("+xml") || type == "application/javascript"
    }

    func request(requestID: String, at date: Date) -> APIGatewayV2Request {
        var joined: [String: String] = [:]
        var cookies: [String] = []
        for (name, value) in headers {
            let lowered = name.lowercased()
            if lowered == "cookie" {
                cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
                continue
            }
            joined[lowered] = joined[lowered].map { "\($0),\(value)" } ?? value
        }
        let contentType = joined["content-type"]
        let bodyText: String?
        let isBase64: Bool
        if body.isEmpty {
            bodyText = nil
            isBase64 = false
        } else if Self.isText(contentType: contentType), let text = String(data: body, encoding: .utf8) {
            bodyText = text
            isBase64 = false
        } else {
            bodyText = body.base64EncodedString()
            isBase64 = true
        }
        let milliseconds = Int64(date.timeIntervalSince1970 * 1000)
        let context = APIGatewayV2Request.Context(
            accountId: accountID, apiId: "local", domainName: joined["host"] ?? "localhost", domainPrefix: "local",
            http: .init(
                method: method, path: rawPath, protocol: "HTTP/1.1", sourceIp: sourceIP,
                userAgent: joined["user-agent"] ?? ""),
            requestId: requestID, routeKey: match.routeKey, stage: "$default", time: Self.requestTime(date),
            timeEpoch: milliseconds)
        return APIGatewayV2Request(
            routeKey: match.routeKey, rawPath: rawPath, rawQueryString: rawQuery,
            cookies: cookies.isEmpty ? nil : cookies,
            headers: joined, queryStringParameters: Self.queryParameters(rawQuery),
            pathParameters: match.pathParameters.isEmpty ? nil : match.pathParameters, requestContext: context,
            body: bodyText, isBase64Encoded: isBase64)
    }

    /// Decoded query parameters, repeated names comma-joined; nil when there are none.
    static func queryParameters(_ rawQuery: String) -> [String: String]? {
        guard !rawQuery.isEmpty else { return nil }
        var result: [String: String] = [:]
        for pair in rawQuery.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            result[name] = result[name].map { "\($0),\(value)" } ?? value
        }
        return result.isEmpty ? nil : result
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// `29/Nov/2026:03:04:05 +0000`, the form of `requestContext.time`; written by hand, since
    /// a `DateFormatter` made per request was the emulator's largest cost per invocation.
    static func requestTime(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(twoDigits(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(1900 + parts.tm_year):"
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) +0000"
    }
}
