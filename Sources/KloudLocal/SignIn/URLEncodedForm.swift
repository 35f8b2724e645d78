import Foundation

/// The fields of an `application/x-www-form-urlencoded` body or query string: `+` is a space,
/// `%XX` a byte; a field that does not decode is left out and the first of repeated ones wins.
struct URLEncodedForm {
    private var fields: [String: String] = [:]

    init(_ text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                continue
            }
            if fields[name] == nil { fields[name] = value }
        }
    }

    init(_ body: Data) { self.init(String(decoding: body, as: UTF8.self)) }

    subscript(name: String) -> String? { fields[name] }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
