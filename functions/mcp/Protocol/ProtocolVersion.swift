/// The MCP revisions this server speaks, oldest first, and what differs between them.
enum ProtocolVersion: String, CaseIterable, Comparable, Sendable {
    case march2025 = "2025-03-26"
    case june2025 = "2025-06-18"
    case november2025 = "2025-11-25"
    /// The stateless revision: no `initialize`, version and capabilities in every request's `_meta`.
    case july2026 = "2026-07-28"

    /// The newest revision that begins with an `initialize` handshake.
    static let latestHandshake = ProtocolVersion.november2025

    /// What a request without `MCP-Protocol-Version` is taken to speak (2025-06-18's rule).
    static let assumedWithoutHeader = ProtocolVersion.march2025

    /// Whether the revision carries version and capabilities per request (no handshake).
    var isModern: Bool { self >= .july2026 }

    /// Only 2025-03-26 allows a JSON-RPC batch (an array) in one POST.
    var allowsBatches: Bool { self == .march2025 }

    /// From 2025-11-25 on, bad tool arguments are a tool error result the model can correct,
    /// not a protocol error.
    var reportsArgumentErrorsAsToolResults: Bool { self >= .november2025 }

    /// `outputSchema`, `structuredContent` and `title` arrived in 2025-06-18.
    var hasStructuredContent: Bool { self >= .june2025 }

    static func < (left: ProtocolVersion, right: ProtocolVersion) -> Bool { left.rawValue < right.rawValue }
}
