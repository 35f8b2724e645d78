#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A minimal keep-alive HTTP/1.1 client over one TCP socket, for the Runtime API on loopback.
///
/// URLSession costs about ten times a plain socket per request on loopback (DESIGN.md section 4),
/// so the runtime loop speaks HTTP/1.1 itself: one connection, reused for every request, with no
/// client-side timeout (the `next` call blocks until Lambda has an event).
final class HTTPConnection {
    /// A response: status, headers with lowercase names, and the whole body.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    private let host: String
    private let port: UInt16
    private var socket: Int32 = -1
    private var reader = HTTPResponseReader()

    /// Creates a client for `hostAndPort` (`host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it).
    init(hostAndPort: String) throws(TransportError) {
        guard let colon = hostAndPort.lastIndex(of: ":"),
            let port = UInt16(hostAndPort[hostAndPort.index(after: colon)...])
        else { throw .invalidAddress(hostAndPort) }
        var host = String(hostAndPort[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }

    deinit { close() }

    /// Sends one request and reads its response, reconnecting once if a kept-alive connection
    /// turns out to have been closed by the server before it answered.
    func send(
        method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = []
    )
        throws(TransportError) -> Response
    {
        let head = Self.requestHead(method: method, path: path, host: host, headers: headers, bodyLength: body.count)
        let reused = socket >= 0
        do {
            return try exchange(head: head, body: body)
        } catch .connectionClosed where reused {
            close()
            return try exchange(head: head, body: body)
        }
    }

    /// Closes the socket; the next request opens a new one.
    func close() {
        if socket >= 0 { _ = Glibc.close(socket) }
        socket = -1
        reader = HTTPResponseReader()
    }

    private func exchange(head: [UInt8], body: [UInt8]) throws(TransportError) -> Response {
        if socket < 0 { socket = try Self.connect(host: host, port: port) }
        do {
            try write(head)
            if !body.isEmpty { try write(body) }
            let response = try readResponse()
            if response.headers["connection"]?.lowercased() == "close" { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    private func readResponse() throws(TransportError) -> Response {
        while true {
            switch try reader.nextResponse() {
            case .response(let response): return response
            case .needMoreData: try fill()
            }
        }
    }

    private func fill() throws(TransportError) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                reader.append(chunk[0..<count])
                return
            }
            if count == 0 { throw .connectionClosed }
            if errno == EINTR {
                if ShutdownSignal.isRequested { throw .interrupted }
                continue
            }
            throw .system(call: "recv", errno: errno)
        }
    }

    private func write(_ bytes: [UInt8]) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .connectionClosed }
                throw .system(call: "send", errno: errno)
            }
            offset += written
        }
    }

    private static func requestHead(
        method: String, path: String, host: String, headers: [(String, String)], bodyLength: Int
    ) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if bodyLength > 0 || method == "POST" { text += "Content-Length: \(bodyLength)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    private static func connect(host: String, port: UInt16) throws(TransportError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            throw .invalidAddress("\(host):\(port)")
        }
        defer { freeaddrinfo(results) }
        var lastErrno: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return fd
                }
                lastErrno = errno
                _ = Glibc.close(fd)
            }
            candidate = info.pointee.ai_next
        }
        throw .system(call: "connect", errno: lastErrno)
    }
}
