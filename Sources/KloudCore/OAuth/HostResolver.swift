import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves a host name with the system resolver (`getaddrinfo`), so that every address can be
/// vetted before a connection is made.
///
/// `getaddrinfo` blocks, so it runs on a thread of its own (``BlockingThread``), never on the pool
/// Swift's tasks share. The caller stops waiting after `timeout`; the lookup itself then finishes
/// unobserved.
enum HostResolver {
    /// Every address the name resolves to (IPv4 and IPv6), without duplicates; nil when it does
    /// not resolve in time.
    static func addresses(of host: String, timeout: Duration) async -> [IPAddress]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[IPAddress]?, Never>) in
            let answer = SingleAnswer(continuation)
            BlockingThread.detach { answer.resume(returning: lookUp(host)) }
            let milliseconds = CurlTransferOptions.milliseconds(timeout)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                answer.resume(returning: nil)
            }
        }
    }

    private static func lookUp(_ host: String) -> [IPAddress]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return nil }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var node = list
        while let entry = node {
            if let socketAddress = entry.pointee.ai_addr, let address = IPAddress(socketAddress: socketAddress),
                !addresses.contains(address)
            {
                addresses.append(address)
            }
            node = entry.pointee.ai_next
        }
        return addresses
    }
}

/// A continuation that the first of several racing callers resumes; later calls do nothing.
private final class SingleAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<[IPAddress]?, Never>?>

    init(_ continuation: CheckedContinuation<[IPAddress]?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(returning addresses: [IPAddress]?) {
        continuation.withLock { pending in
            pending?.resume(returning: addresses)
            pending = nil
        }
    }
}
