/// An API Gateway HTTP API route key: `METHOD /path/{param}/{proxy+}`, or `$default`.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// One part of a route's path.
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
        /// `{name+}`: the rest of the path, one segment or more.
        case greedy(String)
    }

    static let methods: Set<String> = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    /// `ANY`, or an HTTP method in capitals; nil for `$default`.
    public let method: String?
    public let segments: [Segment]
    /// The route key exactly as written.
    public let key: String

    public var description: String { key }
    public var isDefault: Bool { method == nil }

    /// Parses a route key as API Gateway accepts it.
    public init(parsing key: String) throws(RouteError) {
        self.key = key
        if key == "$default" {
            method = nil
            segments = []
            return
        }
        let parts = key.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw RouteError("'\(key)' is not 'METHOD /path'") }
        guard Self.methods.contains(String(parts[0])) else {
            throw RouteError("'\(parts[0])' is not an HTTP method (or ANY) in capitals")
        }
        let path = String(parts[1])
        guard path.hasPrefix("/") else { throw RouteError("path of '\(key)' must start with /") }
        method = String(parts[0])
        var parsed: [Segment] = []
        var names: Set<String> = []
        let pieces = path == "/" ? [] : path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (index, piece) in pieces.enumerated() {
            guard !piece.isEmpty else { throw RouteError("path of '\(key)' has an empty segment") }
            if piece.hasPrefix("{") && piece.hasSuffix("}") {
                var name = String(piece.dropFirst().dropLast())
                let isGreedy = name.hasSuffix("+")
                if isGreedy { name.removeLast() }
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw RouteError("'\(piece)' in '\(key)' is not a valid path variable")
                }
                guard names.insert(name).inserted else { throw RouteError("'\(name)' appears twice in '\(key)'") }
                if isGreedy {
                    guard index == pieces.count - 1 else {
                        throw RouteError("greedy variable '\(piece)' must be the last segment of '\(key)'")
                    }
                    parsed.append(.greedy(name))
                } else {
                    parsed.append(.parameter(name))
                }
            } else {
                guard !piece.contains("{") && !piece.contains("}") else {
                    throw RouteError("'\(piece)' in '\(key)' mixes text and a variable")
                }
                parsed.append(.literal(String(piece)))
            }
        }
        segments = parsed
    }

    /// The path parameters when `method` and the path's segments match this route, else nil.
    /// Segments arrive percent-decoded; a greedy variable gets the rest joined by `/`.
    func match(method requestMethod: String, segments pathSegments: [String]) -> [String: String]? {
        guard let method, method == "ANY" || method == requestMethod else { return isDefault ? [:] : nil }
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let text):
                guard index < pathSegments.count, pathSegments[index] == text else { return nil }
            case .parameter(let name):
                guard index < pathSegments.count, !pathSegments[index].isEmpty else { return nil }
                parameters[name] = pathSegments[index]
            case .greedy(let name):
                guard index < pathSegments.count else { return nil }
                parameters[name] = pathSegments[index...].joined(separator: "/")
                return parameters
            }
        }
        return pathSegments.count == segments.count ? parameters : nil
    }

    /// Orders matching routes as API Gateway does: no greedy variable before greedy, more literal
    /// segments first, a specific method before ANY.
    var precedence: (Int, Int, Int) {
        let hasGreedy = segments.contains { if case .greedy = $0 { true } else { false } }
        let literals = segments.filter { if case .literal = $0 { true } else { false } }.count
        return (hasGreedy ? 1 : 0, -literals, method == "ANY" ? 1 : 0)
    }
}

/// Why a route key is not valid.
public struct RouteError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}
