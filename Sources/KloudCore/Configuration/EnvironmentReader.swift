/// The environment a function was started with, read through one value that remembers every
/// name it was asked for. Each function builds its configuration from one reader, once, at
/// init (STYLE.md rule 6); nothing else reads the environment. A test builds every function's
/// configuration from what infra/ gives it and compares the names read with the names given.
public struct EnvironmentReader: Sendable {
    private let values: [String: String]
    /// Every name looked up so far, set or not.
    public private(set) var names: Set<String> = []

    /// A reader of `values` (the process environment, or a test's).
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The value of `name`; nil when it is unset or empty.
    public mutating func value(_ name: String) -> String? {
        names.insert(name)
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// The value of a setting; nil when it is unset or empty.
    public mutating func value(_ setting: Setting) -> String? {
        value(setting.rawValue)
    }

    /// The value of a setting, or why the function cannot start without it.
    public mutating func required(_ setting: Setting, _ meaning: String) throws(ConfigurationError) -> String {
        guard let value = value(setting) else { throw ConfigurationError(variable: setting.rawValue, reason: meaning) }
        return value
    }

    /// Whether a development switch is set to `value`.
    public mutating func isSet(_ developmentSwitch: DevelopmentSwitch, to value: String) -> Bool {
        self.value(developmentSwitch.rawValue) == value
    }

    /// The set variables whose names start with `prefix` (`AWS_ENDPOINT_URL_`), by full name.
    public mutating func values(withPrefix prefix: String) -> [String: String] {
        var found: [String: String] = [:]
        for (name, value) in values where name.hasPrefix(prefix) && !value.isEmpty {
            names.insert(name)
            found[name] = value
        }
        return found
    }

    /// The names read that are KloudHub's own: settings, the database secret, the log level and
    /// development switches, not those that Lambda or the AWS SDKs' conventions define.
    public var kloudHubNames: Set<String> {
        names.filter { !Self.isPlatformVariable($0) }
    }

    /// Whether Lambda's runtime environment or the AWS SDKs' conventions define `name`
    /// (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`, `_X_AMZN_TRACE_ID`, `PATH`, `TMPDIR`...).
    public static func isPlatformVariable(_ name: String) -> Bool {
        name.hasPrefix("AWS_") || name.hasPrefix("_") || name.hasPrefix("LAMBDA_")
            || ["PATH", "LANG", "TZ", "TMPDIR", "HOME", "LD_LIBRARY_PATH"].contains(name)
    }
}
