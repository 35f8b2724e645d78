import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests: each request goes to a handler that picks
/// the reply, which may be a proper response or deliberately broken bytes.
///
/// Connections are kept alive between requests (so connection reuse can be counted); every
/// request is recorded.
public final class LoopbackHTTPServer: @unchecked Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        public var target: String
        public var headers: [String: String]
        public var body: [UInt8]

        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// What the server does with a request.
    public enum Reply: Sendable {
        /// A response with `Content-Length`, keeping the connection open.
        case response(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// These bytes exactly, then the connection is closed.
        case raw([UInt8])
        /// Close the connection without answering.
        case close
        /// Wait, then close without answering.
        case stall(seconds: Double)

        public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
            .response(
                status: status, headers: [("Content-Type", "application/x-amz-json-1.1")] + headers,
                body: Array(text.utf8))
        }

        public static func xml(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
            .response(status: status, headers: [("Content-Type", "text/xml")] + headers, body: Array(text.utf8))
        }
    }

    public let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var connections = 0
    private var stopped = false

    /// Starts a server whose handler answers every request.
    public init(handler: @escaping @Sendable (Request) -> Reply) throws {
        (listener, port) = try LoopbackSocket.listen()
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Starts a server that answers with `replies` in order, repeating the last one.
    public convenience init(replies: [Reply]) throws {
        let script = ReplyScript(replies)
        try self.init { _ in script.next() }
    }

    deinit { stop() }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    public var requests: [Request] { lock.withLock { recorded } }

    /// How many connections were accepted.
    public var acceptedConnections: Int { lock.withLock { connections } }

    public func stop() {
        let wasStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        if !wasStopped {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    // MARK: - Serving

    private func acceptLoop() {
        while !lock.withLock({ stopped }) {
            var pollDescriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            lock.withLock { connections += 1 }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        while let request = readRequest(connection, buffer: &buffer) {
            lock.withLock { recorded.append(request) }
            switch handler(request) {
            case .response(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.count)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "\r\n"
                guard write(connection, Array(head.utf8) + (request.method == "HEAD" ? [] : body)) else { return }
            case .raw(let bytes):
                _ = write(connection, bytes)
                return
            case .close:
                return
            case .stall(let seconds):
                Thread.sleep(forTimeInterval: seconds)
                return
            }
        }
    }

    private func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if let end = find(separator, in: buffer) {
                headEnd = end
                break
            }
            guard fill(connection, &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd + 4
        while buffer.count < bodyStart + length {
            guard fill(connection, &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private func fill(_ connection: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(connection, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }

    private func write(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    private func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for index in 0...(bytes.count - pattern.count) where bytes[index..<index + pattern.count].elementsEqual(pattern)
        {
            return index
        }
        return nil
    }
}

/// Replies handed out in order; the last one repeats.
public final class ReplyScript: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [LoopbackHTTPServer.Reply]

    public init(_ replies: [LoopbackHTTPServer.Reply]) {
        self.replies = replies
    }

    public func next() -> LoopbackHTTPServer.Reply {
        lock.withLock { replies.count > 1 ? replies.removeFirst() : replies[0] }
    }
}
