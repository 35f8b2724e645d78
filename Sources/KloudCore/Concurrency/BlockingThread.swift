#if canImport(Glibc)
    import Glibc
#endif

/// Runs blocking work (a libcurl transfer) on a thread of its own, never on one of the threads
/// Swift's tasks and `DispatchQueue.global()` share. On Linux both run on libdispatch's global
/// pool, which holds about as many threads as there are cores and adds one more only about
/// once a second when all are blocked: a few transfers waiting on a server that needs that
/// same pool to answer (the emulator, in a test process) stalled everything for half a minute.
enum BlockingThread {
    /// The work and where its result goes, handed to the new thread.
    private final class Work {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// `work`'s result, computed on a new detached thread.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            detach { continuation.resume(returning: work()) }
        }
    }

    /// Runs `work` on a new detached thread; inline if no thread can be made.
    static func detach(_ work: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Work(work))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let created = pthread_create(
            &thread, &attributes,
            { argument in
                Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue().run()
                return nil
            }, box.toOpaque())
        if created != 0 { box.takeRetainedValue().run() }
    }
}
