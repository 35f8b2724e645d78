/// The retry decisions of one call, as a state machine: it is told how each attempt ended
/// and answers what to do next. It does no I/O; the caller sleeps, spends the quota and
/// sends.
struct RetryState {
    /// What the caller does after a failed attempt.
    enum FailureAction: Equatable {
        /// Spend `cost` quota tokens (giving up if they are not there), wait, and try again.
        case retry(after: Duration, cost: Int)
        /// Give up and report the error.
        case fail
    }

    /// What the caller does after a successful attempt.
    enum SuccessAction: Equatable {
        /// Give `count` tokens back to the quota.
        case releaseTokens(Int)
    }

    private enum State {
        case attempting(number: Int, spentTokens: Int)
        case finished
    }

    private let strategy: RetryStrategy
    private var state = State.attempting(number: 1, spentTokens: 0)

    init(strategy: RetryStrategy) {
        self.strategy = strategy
    }

    /// The number of the attempt under way (1 for the first).
    var attempt: Int {
        if case .attempting(let number, _) = state { return number }
        return strategy.maxAttempts
    }

    /// An attempt failed; `jitter` is a random number in `0..<1`.
    mutating func attemptFailed(_ error: AWSError, isReplayable: Bool, jitter: Double) -> FailureAction {
        guard case .attempting(let number, let spent) = state else { return .fail }
        guard error.isRetryable, isReplayable, number < strategy.maxAttempts else {
            state = .finished
            return .fail
        }
        let cost = error.transportError?.code == .timedOut ? RetryQuota.timeoutRetryCost : RetryQuota.retryCost
        state = .attempting(number: number + 1, spentTokens: spent + cost)
        let ceiling = strategy.backoffCeiling(beforeRetry: number)
        return .retry(after: ceiling * min(max(jitter, 0), 1), cost: cost)
    }

    /// The quota had no tokens for the retry that ``attemptFailed(_:isReplayable:jitter:)`` asked
    /// for: the call ends with the last error.
    mutating func quotaExhausted() {
        state = .finished
    }

    /// An attempt succeeded: tokens spent on retries go back, or one is added after a first-try success.
    mutating func attemptSucceeded() -> SuccessAction {
        defer { state = .finished }
        guard case .attempting(_, let spent) = state else { return .releaseTokens(0) }
        return .releaseTokens(spent > 0 ? spent : RetryQuota.successIncrement)
    }
}
