/// Writing text into XML request bodies (S3's `Delete`, `CreateBucketConfiguration`).
enum XMLText {
    /// The text with `&`, `<`, `>`, `"` and `'` escaped, and the control characters XML 1.0
    /// cannot carry written as character references where allowed.
    static func escaped(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\r": output += "&#13;"
            case "\n": output += "&#10;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
