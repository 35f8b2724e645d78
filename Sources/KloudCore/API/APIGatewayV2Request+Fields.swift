import FoundationEssentials
import LambdaRuntime

extension APIGatewayV2Request {
    /// The query string's parameters in order, decoded (`+` as space, percent escapes); a
    /// parameter may repeat.
    public var queryItems: [(name: String, value: String)] { FormEncoding.decode(rawQueryString) }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? { queryItems.first { $0.name == name }?.value }

    /// The value of cookie `name`, from the gateway's `cookies` (or a `Cookie` header).
    public func cookie(named name: String) -> String? {
        let pairs = (cookies ?? []) + (header("cookie")?.split(separator: ";").map(String.init) ?? [])
        for pair in pairs {
            let trimmed = pair.trimmingASCIIWhitespace()
            guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
            return String(trimmed[trimmed.index(after: equals)...])
        }
        return nil
    }

    /// The media type of the body, lowercased, without parameters.
    public var mediaType: String? {
        header("content-type")?.split(separator: ";").first.map { $0.trimmingASCIIWhitespace().lowercased() }
    }

    /// The fields of an `application/x-www-form-urlencoded` body; throws a 400 for another type
    /// or a body that repeats a field (RFC 6749 section 3.1: parameters must not repeat).
    public func formFields(limit: Int = 16 * 1024) throws(APIError) -> [String: String] {
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw APIError(.badRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
        }
        guard let bytes = bodyBytes else { throw APIError(.badRequest, "invalid_request", "the body is not base64") }
        guard bytes.count <= limit else { throw APIError(.payloadTooLarge, "invalid_request", "the body is too large") }
        var fields: [String: String] = [:]
        for item in FormEncoding.decode(String(decoding: bytes, as: UTF8.self)) {
            guard fields[item.name] == nil else {
                throw APIError(.badRequest, "invalid_request", "parameter \(item.name) is repeated")
            }
            fields[item.name] = item.value
        }
        return fields
    }

    /// The JSON body decoded as `T`; throws a 400 naming what is wrong.
    public func jsonBody<T: Decodable>(_ type: T.Type, limit: Int = 64 * 1024) throws(APIError) -> T {
        guard mediaType == "application/json" else {
            throw APIError(.unsupportedMediaType, "invalid_request", "the body must be application/json")
        }
        guard let bytes = bodyBytes else { throw APIError(.badRequest, "invalid_request", "the body is not base64") }
        guard bytes.count <= limit else { throw APIError(.payloadTooLarge, "invalid_request", "the body is too large") }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw APIError(.badRequest, "invalid_request", error.fieldDescription)
        } catch {
            throw APIError(.badRequest, "invalid_request", "the body is not valid JSON")
        }
    }
}

extension DecodingError {
    /// What is wrong, naming the field, in words a caller can act on.
    var fieldDescription: String {
        func path(_ context: Context) -> String {
            let names = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the body" : names.joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return parent == "the body" ? "\(key.stringValue) is required" : "\(parent).\(key.stringValue) is required"
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(Self.typeName(type))"
        case .valueNotFound(let type, let context): return "\(path(context)) must be \(Self.typeName(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "\(path(context)) is not valid"
        @unknown default: return "the body is not valid"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type: "an array of strings"
        default: "of the expected type"
        }
    }
}

/// `application/x-www-form-urlencoded` (and query string) encoding.
public enum FormEncoding {
    /// The name/value pairs of `text`, `+` read as space and percent escapes decoded.
    public static func decode(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? unescape(parts[1]) ?? "" : "")
        }
    }

    /// The fields of `text` by name; the first of repeated ones wins.
    public static func firstValues(_ text: String) -> [String: String] {
        Dictionary(decode(text).map { ($0.name, $0.value) }) { first, _ in first }
    }

    /// `pairs` as form text, each name and value percent-encoded.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// `value` with everything but unreserved characters percent-encoded.
    public static func escape(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                result += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0x0F)])"
            }
        }
        return result
    }

    private static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
