import Synchronization

/// The result of `operation`, or nil if `timeout` passes first. The operation is not waited for
/// after the timeout: it goes on in the background, as an invocation does when the API Gateway
/// in front of it gives up.
func firstResult<Value: Sendable>(
    within timeout: Duration, _ operation: @escaping @Sendable () async -> Value
) async -> Value? {
    let claim = ResumeClaim()
    return await withCheckedContinuation { continuation in
        Task {
            let value = await operation()
            if claim.take() { continuation.resume(returning: value) }
        }
        Task {
            try? await Task.sleep(for: timeout)
            if claim.take() { continuation.resume(returning: nil) }
        }
    }
}

/// A one-time right to resume a continuation, taken by whichever side comes first.
private final class ResumeClaim: Sendable {
    private let taken = Mutex(false)

    func take() -> Bool {
        taken.withLock { isTaken in
            defer { isTaken = true }
            return !isTaken
        }
    }
}
