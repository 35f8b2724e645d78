import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM handling: an idle runtime exits at once, a busy one after the current invocation.
///
/// Lambda sends SIGTERM when it shuts a sandbox down. The handler is installed without
/// `SA_RESTART`, so a `recv` blocked on `next` returns `EINTR` and the loop ends cleanly.
enum ShutdownSignal {
    private static let requested = Atomic<Bool>(false)
    private static let invoking = Atomic<Bool>(false)

    /// Whether SIGTERM has arrived.
    static var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// Marks whether an invocation is running, so that a signal waits for it to finish.
    static func setInvoking(_ value: Bool) { invoking.store(value, ordering: .releasing) }

    /// Installs the SIGTERM handler.
    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            ShutdownSignal.requested.store(true, ordering: .releasing)
            if !ShutdownSignal.invoking.load(ordering: .acquiring) { _exit(0) }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }
}
