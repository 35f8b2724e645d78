/// When long work must stop so that it can record where it stopped before the invocation's
/// deadline (DESIGN.md section 10).
public struct WorkDeadline: Sendable {
    /// The moment after which no new batch starts.
    public let instant: ContinuousClock.Instant

    /// A deadline `remaining` from now, keeping `reserve` to finish the batch under way and
    /// report.
    public init(remaining: Duration, reserve: Duration) {
        instant = ContinuousClock.now + remaining - reserve
    }

    /// A deadline far enough away never to stop anything (tests, benchmarks).
    public static var unlimited: WorkDeadline { WorkDeadline(remaining: .seconds(86_400 * 365), reserve: .zero) }

    /// Whether another batch may start.
    public var hasTimeLeft: Bool { ContinuousClock.now < instant }
}
