import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP forwarder that can freeze: while frozen it keeps every connection open and
/// passes nothing either way, as a peer behind a NAT that dropped the connection silently does
/// after a Lambda sandbox's freeze and thaw (no FIN, no RST: the client waits).
public final class FreezableTCPForwarder: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let isFrozen = Mutex(false)
    private let isStopped = Mutex(false)

    /// Starts forwarding connections to `127.0.0.1:upstreamPort`.
    public init(toPort upstreamPort: Int) throws {
        (listener, port) = try LoopbackSocket.listen()
        self.upstreamPort = upstreamPort
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// From now on nothing passes, in either direction, on any connection.
    public func freeze() { isFrozen.withLock { $0 = true } }

    /// Traffic passes again (what was held back is delivered).
    public func thaw() { isFrozen.withLock { $0 = false } }

    /// Stops accepting; open connections end.
    public func stop() {
        isStopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !isStopped.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            guard let upstream = LoopbackSocket.connect(port: upstreamPort) else {
                close(client)
                continue
            }
            // Each direction's pump half-closes the other side when its own ends; the second to
            // end closes both sockets.
            let pumpsLeft = Mutex(2)
            for (from, to) in [(client, upstream), (upstream, client)] {
                Thread { [self] in
                    pump(from: from, to: to)
                    if pumpsLeft.withLock({ left in
                        left -= 1
                        return left == 0
                    }) {
                        close(client)
                        close(upstream)
                    }
                }.start()
            }
        }
    }

    /// Copies bytes from one socket to the other, holding them while frozen.
    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            while isFrozen.withLock({ $0 }) && !isStopped.withLock({ $0 }) { usleep(10_000) }
            var offset = 0
            while offset < count {
                let sent = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + offset, count - offset, 0) }
                guard sent > 0 else { break }
                offset += sent
            }
        }
        shutdown(destination, Int32(SHUT_WR))
    }
}
