import FoundationEssentials

/// Turns an error response into an ``AWSError`` by the service's protocol.
///
/// - query and rest-xml: `<ErrorResponse><Error><Code>…`, S3's `<Error><Code>…`, EC2's
///   `<Response><Errors><Error><Code>…`; a bodiless S3 answer (HEAD) gets the code the SDKs give
///   it from the status (`NotFound`, `Forbidden`, …);
/// - JSON and rest-json: the `x-amzn-ErrorType` header or the body's `__type` / `code`.
///
/// A body that is an HTML page (or no AWS document at all) becomes
/// ``AWSError/Code/unrecognizedErrorResponse``; an AWS-looking body that does not parse or names
/// no code becomes ``AWSError/Code/malformedErrorResponse``. Nothing here can trap.
enum AWSErrorParser {
    static func error(from response: HTTPResponse, service: AWSService, method: String) -> AWSError {
        let requestID = headerRequestID(response.headers)
        if looksLikeHTML(response) {
            return .unrecognizedErrorResponse(service.id, statusCode: response.status, requestID: requestID)
        }
        switch service.wireProtocol {
        case .query, .ec2Query, .restXML:
            return xmlError(from: response, service: service, requestID: requestID)
        case .json, .restJSON:
            // Some AWS front ends and emulators answer a JSON-protocol request with an XML error
            // (moto does for signature failures); read it as XML rather than call it unreadable.
            let first = response.body.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
            if first == UInt8(ascii: "<") {
                return xmlError(from: response, service: service, requestID: requestID)
            }
            return jsonError(from: response, service: service, requestID: requestID)
        }
    }

    // MARK: - XML

    private static func xmlError(from response: HTTPResponse, service: AWSService, requestID: String?) -> AWSError {
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard service.wireProtocol == .restXML else {
                return .unrecognizedErrorResponse(service.id, statusCode: response.status, requestID: requestID)
            }
            return .service(
                service.id, serviceCode: statusCode(response.status), message: nil, requestID: requestID,
                statusCode: response.status)
        }
        let root: XMLElement
        do {
            root = try XMLReader.parse(response.body)
        } catch {
            return .malformedErrorResponse(
                service.id, statusCode: response.status, requestID: requestID, underlying: error)
        }
        let error: XMLElement?
        switch root.name {
        case "Error": error = root
        case "ErrorResponse": error = root.child("Error") ?? root.element(at: ["Errors", "Error"])
        case "Response": error = root.element(at: ["Errors", "Error"])
        default: error = nil
        }
        let bodyRequestID = root.text(of: "RequestId") ?? root.text(of: "RequestID") ?? error?.text(of: "RequestId")
        guard let error else {
            return .unrecognizedErrorResponse(
                service.id, statusCode: response.status, requestID: requestID ?? bodyRequestID)
        }
        guard let code = sanitizedCode(error.text(of: "Code")) else {
            return .malformedErrorResponse(
                service.id, statusCode: response.status, requestID: requestID ?? bodyRequestID)
        }
        return .service(
            service.id, serviceCode: code, message: error.text(of: "Message"), requestID: requestID ?? bodyRequestID,
            statusCode: response.status)
    }

    /// The code the SDKs give a bodiless S3 error.
    private static func statusCode(_ status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 304: "NotModified"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 412: "PreconditionFailed"
        default: String(status)
        }
    }

    // MARK: - JSON

    private struct JSONErrorBody: Decodable {
        var type: String?
        var code: String?
        var upperCode: String?
        var message: String?
        var upperMessage: String?

        enum CodingKeys: String, CodingKey {
            case type = "__type"
            case code
            case upperCode = "Code"
            case message
            case upperMessage = "Message"
        }
    }

    private static func jsonError(from response: HTTPResponse, service: AWSService, requestID: String?) -> AWSError {
        let headerCode = sanitizedCode(response.headers["x-amzn-ErrorType"])
        let isBlank = response.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if isBlank {
            guard let headerCode else {
                return .unrecognizedErrorResponse(service.id, statusCode: response.status, requestID: requestID)
            }
            return .service(
                service.id, serviceCode: headerCode, message: nil, requestID: requestID, statusCode: response.status)
        }
        let body: JSONErrorBody
        do {
            body = try JSONDecoder().decode(JSONErrorBody.self, from: Data(response.body))
        } catch {
            let first = response.body.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
            guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                return .unrecognizedErrorResponse(service.id, statusCode: response.status, requestID: requestID)
            }
            return .malformedErrorResponse(
                service.id, statusCode: response.status, requestID: requestID, underlying: error)
        }
        guard let code = headerCode ?? sanitizedCode(body.type) ?? sanitizedCode(body.code ?? body.upperCode) else {
            return .malformedErrorResponse(service.id, statusCode: response.status, requestID: requestID)
        }
        return .service(
            service.id, serviceCode: code, message: body.message ?? body.upperMessage, requestID: requestID,
            statusCode: response.status)
    }

    // MARK: - Helpers

    private static func headerRequestID(_ headers: HTTPHeaders) -> String? {
        headers["x-amzn-RequestId"] ?? headers["x-amz-request-id"] ?? headers["x-amzn-request-id"]
    }

    /// `aws.protocoltests#FooError` and `FooError:http://internal.amazon.com/…` become
    /// `FooError`; a code with characters no AWS code has becomes nil.
    static func sanitizedCode(_ raw: String?) -> String? {
        guard var code = raw?.trimmingASCIIWhitespace(), !code.isEmpty else { return nil }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        guard !code.isEmpty, code.count <= 128,
            code.utf8.allSatisfy({ SigV4Encoding.isUnreserved($0) && $0 != UInt8(ascii: "~") })
        else { return nil }
        return code
    }

    /// Whether the body is a web page rather than an AWS document. The body decides, not the
    /// `Content-Type`: some AWS-compatible servers label XML errors `text/html`.
    private static func looksLikeHTML(_ response: HTTPResponse) -> Bool {
        let start = response.body.firstIndex { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) } ?? 0
        let head = String(decoding: response.body[start...].prefix(16), as: UTF8.self).lowercased()
        return head.hasPrefix("<!doctype html") || head.hasPrefix("<html")
    }
}
