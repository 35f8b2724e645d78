/// The moment every wait below a handler must end so that the invocation can still answer: a
/// database call, an HTTP call, a retry's backoff. Lambda ends an invocation at its deadline
/// whatever it is doing; a function that waits past it is killed instead of answering 503, and
/// after a freeze and thaw a dead socket otherwise waits for TCP's own timeouts (many seconds).
/// The runtime sets it for each invocation; outside one it is nil and nothing is bounded.
public enum InvocationDeadline {
    /// What is kept back from Lambda's deadline to answer (a 503 with `Retry-After`) and log.
    public static let reserve: Duration = .milliseconds(1500)

    /// The moment waits must end by, in the current invocation.
    @TaskLocal public static var waitsEndBy: ContinuousClock.Instant?

    /// The time left to wait in the current invocation (negative once it has passed); nil
    /// outside an invocation.
    public static var remaining: Duration? {
        waitsEndBy.map { $0 - ContinuousClock.now }
    }

    /// `limit`, or less when the current invocation has less time left (never below zero).
    public static func bounding(_ limit: Duration) -> Duration {
        guard let remaining else { return limit }
        return max(.zero, min(limit, remaining))
    }
}
