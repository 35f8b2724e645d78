import FoundationEssentials

/// Fetched documents by client id, each until its expiry, at most `capacity` of them.
///
/// A plain value: the fetcher keeps it behind a lock and passes the time in.
struct ClientMetadataCache {
    let capacity: Int
    private var entries: [String: FetchedClientMetadata] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// How many entries are held, fresh or not.
    var count: Int { entries.count }

    /// The entry for `clientID` if it is still fresh at `now`.
    func entry(for clientID: String, at now: Date) -> FetchedClientMetadata? {
        guard let entry = entries[clientID], now < entry.expiresAt else { return nil }
        return entry
    }

    /// Keeps `fetched` unless it is already stale; when full, drops stale entries first, then the
    /// one that expires soonest.
    mutating func store(_ fetched: FetchedClientMetadata, for clientID: String, at now: Date) {
        guard now < fetched.expiresAt else {
            entries[clientID] = nil
            return
        }
        if entries[clientID] == nil, entries.count >= capacity {
            entries = entries.filter { now < $0.value.expiresAt }
            if entries.count >= capacity, let soonest = entries.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
                entries[soonest.key] = nil
            }
        }
        entries[clientID] = fetched
    }

    // MARK: - Freshness

    /// When a response stops being fresh, from its headers (RFC 9111 section 4.2): `no-store` or
    /// `no-cache` make it stale at once; else `s-maxage` or `max-age`; else `Expires` (measured
    /// from the response's `Date`); else `defaultLifetime`. `Age` is subtracted, and the lifetime
    /// is held between zero and `maximumLifetime`.
    static func expiry(
        of headers: HTTPHeaders, receivedAt now: Date, defaultLifetime: Duration, maximumLifetime: Duration
    ) -> Date {
        var lifetime: Double
        let directives = CacheControl(headers.values(named: "Cache-Control"))
        if directives.forbidsReuse {
            return now
        } else if let seconds = directives.sharedMaxAge ?? directives.maxAge {
            lifetime = Double(seconds)
        } else if let expires = headers["Expires"] {
            // An Expires that is not a valid date means "already expired".
            guard let expiry = AWSTimestamp.httpDate(expires) else { return now }
            let origin = headers["Date"].flatMap(AWSTimestamp.httpDate) ?? now
            lifetime = expiry.timeIntervalSince(origin)
        } else {
            lifetime = seconds(defaultLifetime)
        }
        if let age = headers["Age"].flatMap(Int.init), age > 0 { lifetime -= Double(age) }
        return now.addingTimeInterval(min(max(lifetime, 0), seconds(maximumLifetime)))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The `Cache-Control` directives a reader of responses cares about.
private struct CacheControl {
    var forbidsReuse = false
    var maxAge: Int?
    var sharedMaxAge: Int?

    init(_ values: [String]) {
        for directive in values.flatMap({ $0.split(separator: ",") }) {
            let parts = directive.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingASCIIWhitespace().lowercased()
            let argument = parts.count > 1 ? Self.seconds(parts[1]) : nil
            switch name {
            case "no-store", "no-cache": forbidsReuse = true
            case "max-age": maxAge = argument ?? maxAge
            case "s-maxage": sharedMaxAge = argument ?? sharedMaxAge
            default: break
            }
        }
    }

    /// A delta-seconds argument, quoted or not; too large a number counts as the largest.
    private static func seconds(_ text: Substring) -> Int? {
        var digits = text.trimmingASCIIWhitespace()
        if digits.count >= 2, digits.hasPrefix("\""), digits.hasSuffix("\"") {
            digits = String(digits.dropFirst().dropLast())
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(digits) ?? Int.max
    }
}
