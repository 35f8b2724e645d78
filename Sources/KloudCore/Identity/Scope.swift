/// What a credential may do. A Clerk session (the person themself) may do everything; API keys
/// and OAuth tokens carry the scopes they were created or consented with.
public enum Scope: String, Sendable, CaseIterable, Codable, Comparable {
    case read = "kloudhub:read"
    case write = "kloudhub:write"

    /// The scope in words, as the consent page and settings show it.
    public var summary: String {
        switch self {
        case .read: "See your connected AWS accounts, resources, costs, waste findings, scans, Klouds and deployments"
        case .write: "Start scans and plan, apply or destroy Klouds in your connected AWS accounts"
        }
    }

    public static func < (left: Scope, right: Scope) -> Bool {
        allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
    }

    /// The scopes of a space-separated list (OAuth's `scope`); nil if it names an unknown one.
    public static func parseList(_ text: String) -> Set<Scope>? {
        var scopes: Set<Scope> = []
        for name in text.split(separator: " ") {
            guard let scope = Scope(rawValue: String(name)) else { return nil }
            scopes.insert(scope)
        }
        return scopes
    }

    /// `scopes` as OAuth's space-separated list, in a stable order.
    public static func list(_ scopes: some Sequence<Scope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: " ")
    }
}
