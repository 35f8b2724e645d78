/// How calls to AWS are retried: the SDKs' standard mode.
///
/// At most ``maxAttempts`` attempts (3); before retry *n* the caller sleeps a random share
/// ("full jitter") of `min(baseDelay × 2ⁿ⁻¹, maxBackoff)`. Only throttling and transient
/// failures are retried (see ``AWSError/isRetryable``), never another client error, and only
/// while the shared retry quota lasts, so a failing service is not hammered by every caller.
/// Sleeping and randomness are injected, so tests can see every delay without waiting.
public struct RetryStrategy: Sendable {
    /// The most attempts for one call, the first included.
    public var maxAttempts: Int
    /// The backoff ceiling before the first retry; it doubles with each retry.
    public var baseDelay: Duration
    /// The largest backoff ceiling.
    public var maxBackoff: Duration
    /// Waits for a delay; `Task.sleep` unless a test replaces it.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A random number in `0..<1`, the share of the ceiling to wait.
    public var random: @Sendable () -> Double
    /// The token bucket shared by every client built with this strategy.
    public let quota: RetryQuota

    /// Creates a strategy; the defaults are the standard mode's.
    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(100),
        maxBackoff: Duration = .seconds(20),
        quota: RetryQuota = RetryQuota(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
        self.quota = quota
        self.sleep = sleep
        self.random = random
    }

    /// The standard mode: 3 attempts, 100 ms base, 20 s cap.
    public static var standard: RetryStrategy { RetryStrategy() }

    /// No retries at all.
    public static var none: RetryStrategy { RetryStrategy(maxAttempts: 1) }

    /// The ceiling of the backoff before retry `number` (1 for the first retry).
    func backoffCeiling(beforeRetry number: Int) -> Duration {
        let exponent = min(max(number - 1, 0), 30)
        let ceiling = baseDelay * (1 << exponent)
        return min(ceiling, maxBackoff)
    }
}
