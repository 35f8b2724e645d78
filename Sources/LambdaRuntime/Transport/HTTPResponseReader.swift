/// Parses HTTP/1.1 responses out of the bytes read from a connection.
///
/// Bodies framed by `Content-Length` and by chunked transfer encoding are both understood;
/// bytes past the end of one response stay buffered for the next.
struct HTTPResponseReader {
    /// What the buffered bytes hold so far.
    enum Outcome {
        case response(HTTPConnection.Response)
        case needMoreData
    }

    private static let maximumHeadLength = 64 * 1024
    private var buffer: [UInt8] = []
    private var start = 0

    /// Adds bytes read from the connection.
    mutating func append(_ bytes: ArraySlice<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete response, or asks for more bytes.
    mutating func nextResponse() throws(TransportError) -> Outcome {
        guard let headEnd = Self.find(Self.crlfcrlf, in: buffer, from: start) else {
            if buffer.count - start > Self.maximumHeadLength { throw .malformedResponse("header too long") }
            return .needMoreData
        }
        let (status, headers) = try Self.parseHead(buffer[start..<headEnd])
        let bodyStart = headEnd + 4
        if status == 204 || status == 304 || (100..<200).contains(status) {
            start = bodyStart
            return .response(.init(status: status, headers: headers, body: []))
        }
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let (body, end) = try Self.decodeChunked(buffer, from: bodyStart) else { return .needMoreData }
            start = end
            return .response(.init(status: status, headers: headers, body: body))
        }
        var length = 0
        if let declared = headers["content-length"] {
            guard let value = Int(declared), value >= 0 else { throw .malformedResponse("bad content-length") }
            length = value
        }
        guard buffer.count - bodyStart >= length else { return .needMoreData }
        start = bodyStart + length
        return .response(.init(status: status, headers: headers, body: Array(buffer[bodyStart..<start])))
    }

    private static let crlfcrlf: [UInt8] = [13, 10, 13, 10]
    private static let crlf: [UInt8] = [13, 10]

    private static func parseHead(_ head: ArraySlice<UInt8>) throws(TransportError) -> (Int, [String: String]) {
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
        }
        guard !lines.isEmpty else { throw .malformedResponse("empty head") }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw .malformedResponse("bad status line")
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedResponse("bad header line") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return (status, headers)
    }

    /// Decodes a chunked body starting at `offset`; nil when it is not complete yet.
    private static func decodeChunked(
        _ bytes: [UInt8], from offset: Int
    ) throws(TransportError)
        -> ([UInt8], Int)?
    {
        var body: [UInt8] = []
        var position = offset
        while true {
            guard let lineEnd = find(crlf, in: bytes, from: position) else { return nil }
            let sizeText = String(decoding: bytes[position..<lineEnd], as: UTF8.self)
            let sizeField = sizeText.split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeField.trimmingSpaces, radix: 16), size >= 0 else {
                throw .malformedResponse("bad chunk size")
            }
            let dataStart = lineEnd + 2
            if size == 0 {
                guard let trailerEnd = find(crlfcrlf, in: bytes, from: lineEnd) else {
                    return nil
                }
                return (body, trailerEnd + 4)
            }
            guard bytes.count >= dataStart + size + 2 else { return nil }
            body.append(contentsOf: bytes[dataStart..<(dataStart + size)])
            position = dataStart + size + 2
        }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from offset: Int) -> Int? {
        guard bytes.count >= pattern.count, offset <= bytes.count - pattern.count else { return nil }
        var index = offset
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == pattern[0] {
                var matches = true
                for step in 1..<pattern.count where bytes[index + step] != pattern[step] {
                    matches = false
                    break
                }
                if matches { return index }
            }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
