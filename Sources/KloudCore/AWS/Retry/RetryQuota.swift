import Synchronization

/// The standard retry mode's token bucket: each retry spends tokens (more after a timeout),
/// a call that succeeds gives back what it spent or adds one, and when the bucket is empty
/// failures are no longer retried.
public final class RetryQuota: Sendable {
    /// The bucket's size and starting level.
    public static let capacity = 500
    /// What one retry costs.
    static let retryCost = 5
    /// What a retry after a timeout costs.
    static let timeoutRetryCost = 10
    /// What a call that succeeds at once adds.
    static let successIncrement = 1

    private let tokens = Mutex(RetryQuota.capacity)

    /// Creates a full bucket.
    public init() {}

    /// The tokens left.
    public var available: Int { tokens.withLock { $0 } }

    /// Takes `cost` tokens; false (and nothing taken) when fewer are left.
    func acquire(_ cost: Int) -> Bool {
        tokens.withLock { tokens in
            guard tokens >= cost else { return false }
            tokens -= cost
            return true
        }
    }

    /// Gives back `count` tokens, up to the capacity.
    func release(_ count: Int) {
        tokens.withLock { $0 = min(RetryQuota.capacity, $0 + count) }
    }
}
