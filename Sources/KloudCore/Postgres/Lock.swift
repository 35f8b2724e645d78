import Glibc

/// A mutual-exclusion lock that refuses, rather than deadlocks on, a second
/// acquisition by the thread that holds it.
///
/// `@unchecked Sendable`: the pthread mutex is the synchronization.
final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock, waiting for other threads to release
    /// it; throws ``PostgresError/Kind/nestedTransaction`` if this thread
    /// already holds it.
    func withLock<Result>(_ body: () throws -> Result) throws -> Result {
        guard pthread_mutex_lock(mutex) == 0 else { throw PostgresError(.nestedTransaction) }
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
