import Synchronization

/// Work a handler leaves for after its response has been sent: the runtime posts the response,
/// runs this work, and only then asks for the next invocation.
///
/// Lambda hands a posted response to the caller at once, so what runs here (writing a request
/// log row, say) costs the caller nothing; it still runs within the invocation, before the
/// sandbox may be frozen. Keep it short and let it never throw: a failure here is only logged
/// by whoever added the work.
public final class AfterResponseWork: Sendable {
    private let pending = Mutex<[@Sendable () async -> Void]>([])

    public init() {}

    /// Adds work to run after the response.
    public func add(_ work: @escaping @Sendable () async -> Void) {
        pending.withLock { $0.append(work) }
    }

    /// Runs the work added so far, in order, and forgets it.
    public func run() async {
        let work = pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for item in work { await item() }
    }
}
