import Foundation

/// Every route of every function, and the choice of one for a request (API Gateway's rules).
public struct RouteTable: Sendable {
    /// A request's route: the function that serves it and its path parameters.
    public struct Match: Sendable, Equatable {
        public var function: String
        public var routeKey: String
        public var pathParameters: [String: String]
    }

    private let entries: [(route: Route, function: String)]

    public init(manifests: [FunctionManifest]) {
        entries = manifests.flatMap { manifest in manifest.routes.map { (route: $0, function: manifest.name) } }
    }

    /// The most specific route for `method` and the raw (percent-encoded) `path`, or nil.
    public func match(method: String, path: String) -> Match? {
        let segments = Self.segments(of: path)
        var best: (route: Route, function: String, parameters: [String: String])?
        for entry in entries where !entry.route.isDefault {
            guard let parameters = entry.route.match(method: method, segments: segments) else { continue }
            if best == nil || entry.route.precedence < best!.route.precedence {
                best = (entry.route, entry.function, parameters)
            }
        }
        if let best { return Match(function: best.function, routeKey: best.route.key, pathParameters: best.parameters) }
        if let fallback = entries.first(where: { $0.route.isDefault }) {
            return Match(function: fallback.function, routeKey: "$default", pathParameters: [:])
        }
        return nil
    }

    private static func segments(of path: String) -> [String] {
        let trimmed = path.hasPrefix("/") ? path.dropFirst() : Substring(path)
        if trimmed.isEmpty { return [] }
        return trimmed.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).removingPercentEncoding ?? String($0)
        }
    }
}
