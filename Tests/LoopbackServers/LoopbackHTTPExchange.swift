import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.1 request to a loopback server, on a connection of its own made from a chosen
/// loopback address: for tests that play several clients, each with an address of its own
/// (what a server sees as the peer, and API Gateway as `sourceIp`).
public enum LoopbackHTTPExchange {
    /// The answer, as sent.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
    }

    /// Sends one request to `port` on 127.0.0.1 from `source` with `Connection: close`, and reads
    /// the answer to the end (30 seconds at most).
    public static func send(
        _ method: String, _ target: String, headers: [(String, String)], body: [UInt8], port: Int, from source: String
    ) throws -> Response {
        guard let descriptor = LoopbackSocket.connect(port: port, from: source) else {
            throw LoopbackSocketError("could not connect to port \(port) from \(source)")
        }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head = "\(method) \(target) HTTP/1.1\r\nhost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "content-length: \(body.count)\r\nconnection: close\r\n\r\n"
        let outgoing = Array(head.utf8) + body
        var offset = 0
        while offset < outgoing.count {
            let sent = outgoing[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw LoopbackSocketError("the request could not be sent") }
            offset += sent
        }
        var incoming: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            incoming += chunk[..<count]
        }
        return try parse(incoming)
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw LoopbackSocketError("the response has no complete head")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw LoopbackSocketError("the status line is malformed: \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[(end + 4)...])
        let isChunked = headers.contains {
            $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked")
        }
        if isChunked { body = try dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(
                    String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "",
                    radix: 16)
            else { throw LoopbackSocketError("a chunk size is malformed") }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { throw LoopbackSocketError("a chunk is cut short") }
            body += bytes[start..<start + size]
            index = start + size + 2
        }
        return body
    }
}
