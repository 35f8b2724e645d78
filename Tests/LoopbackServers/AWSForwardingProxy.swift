import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback proxy in front of the local AWS, for what moto cannot do itself: fail one
/// region, or take as long as a real AWS endpoint does.
///
/// Each request is forwarded byte for byte with its `Host` header, so its SigV4 signature
/// still verifies at moto, after `latency` (a thread per connection waits, so concurrent
/// requests wait together, as they do on a network); `intercept` may answer a request instead
/// (it sees the region and service the request was signed for).
public final class AWSForwardingProxy: @unchecked Sendable {
    /// What a request was signed for: the scope of its `Authorization` header's credential.
    public struct SigningScope: Sendable, Equatable {
        public var region: String
        public var service: String

        /// The scope of `AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, ...`.
        public init?(authorization: String?) {
            guard let authorization, let credential = authorization.range(of: "Credential=") else { return nil }
            let value = authorization[credential.upperBound...].prefix { $0 != "," && $0 != " " }
            let parts = value.split(separator: "/")
            guard parts.count == 5, parts[4] == "aws4_request" else { return nil }
            region = String(parts[2])
            service = String(parts[3])
        }
    }

    private let server: LoopbackHTTPServer

    /// Starts a proxy forwarding to `upstream` (`http://127.0.0.1:PORT`); `intercept` returns a
    /// reply to answer a request itself, or nil to forward it.
    public init(
        forwardingTo upstream: URL,
        latency: Duration = .zero,
        intercept: @escaping @Sendable (LoopbackHTTPServer.Request, SigningScope?) -> LoopbackHTTPServer.Reply? = {
            _, _ in nil
        }
    ) throws {
        guard let port = upstream.port else { throw LoopbackSocketError("the upstream URL has no port") }
        server = try LoopbackHTTPServer { request in
            if let reply = intercept(request, SigningScope(authorization: request.headers["authorization"])) {
                return reply
            }
            if latency > .zero {
                let (seconds, attoseconds) = latency.components
                Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
            }
            return Self.forward(request, toPort: port)
        }
    }

    public var url: String { server.url }

    /// Every request received so far.
    public var requests: [LoopbackHTTPServer.Request] { server.requests }

    public func stop() { server.stop() }

    /// The request sent to the upstream port with `Connection: close`; the reply is the
    /// upstream's response as it came, read to the end.
    private static func forward(_ request: LoopbackHTTPServer.Request, toPort port: Int) -> LoopbackHTTPServer.Reply {
        guard let descriptor = LoopbackSocket.connect(port: port) else { return .close }
        defer { close(descriptor) }
        var head = "\(request.method) \(request.target) HTTP/1.1\r\n"
        for (name, value) in request.headers where name != "connection" && name != "content-length" {
            head += "\(name): \(value)\r\n"
        }
        head += "content-length: \(request.body.count)\r\nconnection: close\r\n\r\n"
        let outgoing = Array(head.utf8) + request.body
        var offset = 0
        while offset < outgoing.count {
            let sent = outgoing[offset...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return .close }
            offset += sent
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            response += chunk[..<count]
        }
        return response.isEmpty ? .close : .raw(response)
    }
}
