import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Writes each log event as one JSON line on standard output, the form CloudWatch parses.
///
/// Secrets are redacted here, not by each caller (DESIGN.md section 10): metadata whose key
/// names a credential is replaced by `[REDACTED]`, whatever value it holds.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level

    /// Creates a handler at the level named by `LOG_LEVEL` (default `info`); every logger's lines
    /// go to standard output, whatever its `label`.
    public init(label: String, environment: [String: String]) {
        self.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        StandardOutput.write(
            Self.line(timestamp: Self.timestamp(), level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// One event as the JSON line written for it, secret metadata already redacted.
    static func line(timestamp: String, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "{\"timestamp\":\(quoted(timestamp)),\"level\":\"\(level.rawValue.uppercased())\""
        line += ",\"message\":\(quoted(message))"
        for key in metadata.keys.sorted() {
            line += ",\(quoted(key)):\(render(key: key, metadata[key]!))"
        }
        return line + "}\n"
    }

    /// Whether a metadata key names something secret.
    public static func isSecret(key: String) -> Bool {
        let lowered = key.lowercased()
        return secretKeyFragments.contains { lowered.contains($0) }
    }

    private static let secretKeyFragments = [
        "authorization", "cookie", "token", "secret", "password", "credential", "apikey", "api_key",
        "access_key", "session_key", "private_key",
    ]

    private static func render(key: String, _ value: Logger.Metadata.Value) -> String {
        if isSecret(key: key) { return "\"[REDACTED]\"" }
        switch value {
        case .string(let text): return quoted(text)
        case .stringConvertible(let convertible): return quoted(convertible.description)
        case .array(let values): return "[" + values.map { render(key: "", $0) }.joined(separator: ",") + "]"
        case .dictionary(let members):
            let rendered = members.keys.sorted().map { quoted($0) + ":" + render(key: $0, members[$0]!) }
            return "{" + rendered.joined(separator: ",") + "}"
        }
    }

    /// JSON string literal of `text`.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static func timestamp() -> String {
        let milliseconds = WallClock.nowMilliseconds()
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(milliseconds % 1000), 3))Z"
    }
}

/// Unbuffered writes to standard output, so that no line is lost if the process is killed.
enum StandardOutput {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
