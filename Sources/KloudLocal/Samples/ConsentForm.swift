/// The hidden inputs of the authorization server's consent form, read as a browser would submit
/// them.
public enum ConsentForm {
    /// The name and value of each `type="hidden"` input of `html`, entities decoded.
    public static func hiddenFields(_ html: String) -> [(String, String)] {
        var fields: [(String, String)] = []
        for line in html.split(separator: "\n") where line.contains("type=\"hidden\"") {
            guard let name = attribute("name", in: line), let value = attribute("value", in: line) else { continue }
            fields.append((name, unescape(value)))
        }
        return fields
    }

    private static func attribute(_ name: String, in line: Substring) -> String? {
        guard let start = line.range(of: "\(name)=\"") else { return nil }
        return String(line[start.upperBound...].prefix { $0 != "\"" })
    }

    private static func unescape(_ text: String) -> String {
        text.replacing("&quot;", with: "\"").replacing("&#39;", with: "'").replacing("&lt;", with: "<")
            .replacing("&gt;", with: ">").replacing("&amp;", with: "&")
    }
}
