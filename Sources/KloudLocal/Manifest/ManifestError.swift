/// A manifest that cannot be used, naming the file and the field at fault.
public struct ManifestError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var field: String?
    public var reason: String

    public var description: String {
        if let field { return "\(file): field '\(field)': \(reason)" }
        return "\(file): \(reason)"
    }
}
