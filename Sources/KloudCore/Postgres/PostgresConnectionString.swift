import CLibPQ
import Glibc

/// A libpq connection string (a `postgresql://` URL or `key=value` pairs),
/// parsed into its parameters so that some can be replaced.
///
/// ```swift
/// let api = try PostgresConnectionString(adminURL)
///     .setting(["user": "kloudhub_api_dev", "password": password, "dbname": "kloudhub"])
/// ```
///
/// ``description`` hides the password; ``conninfo`` is the full string.
public struct PostgresConnectionString: Sendable, Hashable, CustomStringConvertible {
    /// The parameters that are set, by libpq keyword.
    public private(set) var parameters: [String: String]

    /// Parses a URL or `key=value` string, as libpq does.
    public init(_ string: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(string, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "invalid connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(.clientError, clientMessage: message)
        }
        defer { PQconninfoFree(options) }
        var parameters: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                parameters[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        self.parameters = parameters
    }

    /// Creates a connection string from parameters.
    public init(parameters: [String: String]) {
        self.parameters = parameters
    }

    /// The value of a parameter.
    public subscript(keyword: String) -> String? {
        get { parameters[keyword] }
        set { parameters[keyword] = newValue }
    }

    /// The same connection string with some parameters replaced.
    public func setting(_ changes: [String: String]) -> PostgresConnectionString {
        var copy = self
        copy.parameters.merge(changes) { _, new in new }
        return copy
    }

    /// The `key='value'` form that libpq (and `psql`) accept.
    public var conninfo: String {
        parameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\(Self.quoted($0.value))" }
            .joined(separator: " ")
    }

    /// The `key='value'` form with the password hidden.
    public var description: String {
        setting(parameters["password"] == nil ? [:] : ["password": "***"]).conninfo
    }

    /// A conninfo value in single quotes, with quotes and backslashes escaped.
    private static func quoted(_ value: String) -> String {
        "'" + value.replacingAll("\\", with: "\\\\").replacingAll("'", with: "\\'") + "'"
    }
}
