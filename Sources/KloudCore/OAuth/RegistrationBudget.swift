import FoundationEssentials

/// How many clients one source network may register: anonymous dynamic registration (RFC 7591)
/// is bounded per address, since AWS WAF cannot be attached to an API Gateway HTTP API and a
/// stage's throttling is not per address.
///
/// The count is kept in PostgreSQL (`registration_budgets`, migration 0018) per network and fixed
/// window: an IPv4 address, or the /64 of an IPv6 address (one site's prefix, which a single
/// machine can change addresses within at will). The retention sweep deletes ended windows.
public struct RegistrationBudget: Sendable, Equatable {
    /// Registrations one network may make in one window.
    public static let registrationsPerWindow = 20
    /// The window, in seconds: windows begin on the hour (UTC).
    public static let window: TimeInterval = 3600
    /// The network of a source address that cannot be read; such sources share one budget.
    static let unreadableSource = "0.0.0.0/32"

    /// The network counted, as PostgreSQL's `cidr` reads it: `203.0.113.7/32`, `2001:db8:1:2::/64`.
    public let network: String

    /// The budget of the request's source address (API Gateway's `requestContext.http.sourceIp`).
    /// An IPv4-mapped IPv6 address counts as its IPv4 address.
    public init(sourceIP: String) {
        guard let address = IPAddress(sourceIP) else {
            network = Self.unreadableSource
            return
        }
        if address.isIPv4 {
            network = address.description + "/32"
        } else if let mapped = address.mappedIPv4 {
            network = mapped.description + "/32"
        } else {
            let prefix = IPAddress(bytes: Array(address.bytes.prefix(8)) + [UInt8](repeating: 0, count: 8))
            network = (prefix?.description ?? "::") + "/64"
        }
    }

    /// When the window holding `time` began.
    public static func windowStart(containing time: Date) -> Date {
        Date(timeIntervalSince1970: (time.timeIntervalSince1970 / window).rounded(.down) * window)
    }

    /// Whole seconds from `time` until the window holding it ends (at least 1): `Retry-After`.
    public static func secondsUntilNextWindow(after time: Date) -> Int {
        let end = windowStart(containing: time).addingTimeInterval(window)
        return max(1, Int(end.timeIntervalSince(time).rounded(.up)))
    }

    /// Takes one registration from the budget in `transaction`, if any is left at `time`;
    /// returns whether one was. The count stays locked until the transaction ends, so
    /// registrations at once from one network are counted one after the other.
    func take(at time: Date, in transaction: PostgresTransaction) throws -> Bool {
        let rows = try transaction.query(
            """
            select kloudhub.take_registration_slot(\(network)::cidr, \(Self.windowStart(containing: time)),
                                                   \(Int32(Self.registrationsPerWindow)))
            """)
        return try rows.first?.decode(Bool.self) ?? false
    }

    /// The refusal of a registration over budget at `time`: 429 with `Retry-After`, in the
    /// RFC 7591 error shape.
    static func exhausted(at time: Date) -> APIError {
        let seconds = secondsUntilNextWindow(after: time)
        return APIError(
            .tooManyRequests, "too_many_registrations",
            "this address has registered \(registrationsPerWindow) clients this hour, the most allowed; "
                + "try again in \(seconds) seconds",
            headers: ["Retry-After": String(seconds)])
    }
}
