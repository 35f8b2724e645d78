/// A required setting is missing or malformed: the function cannot start.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable): \(reason)" }
}
