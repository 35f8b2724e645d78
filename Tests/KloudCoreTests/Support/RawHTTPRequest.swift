import KloudCore

/// An HTTP/1.1 request as written in AWS's suite files (`request.txt`, `*-signed-request.txt`).
///
/// The request line's target is taken between the first and the last space, since the
/// suite's targets may hold raw spaces. A line that starts with a space or tab continues the
/// previous header's value (an obsolete fold) and is kept with its line break. What follows
/// the first empty line is the body.
struct RawHTTPRequest: Equatable {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    var method: String
    var target: String
    var headers: [SignableRequest.Header]
    var body: [UInt8]

    init(parsing bytes: [UInt8]) throws {
        var lines: [String] = []
        var lineStart = 0
        var bodyStart = bytes.count
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            var line = bytes[lineStart..<index]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lineStart = index + 1
            if line.isEmpty && !lines.isEmpty {
                bodyStart = lineStart
                break
            }
            lines.append(String(decoding: line, as: UTF8.self))
        }
        if bodyStart == bytes.count && lineStart < bytes.count {
            lines.append(String(decoding: bytes[lineStart...], as: UTF8.self))
        }

        guard let requestLine = lines.first,
            let firstSpace = requestLine.firstIndex(of: " "),
            let lastSpace = requestLine.lastIndex(of: " "),
            firstSpace < lastSpace
        else {
            throw ParseError(description: "no request line")
        }
        method = String(requestLine[..<firstSpace])
        target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])

        headers = []
        for line in lines.dropFirst() {
            if line.first == " " || line.first == "\t" {
                guard !headers.isEmpty else { throw ParseError(description: "a fold before any header") }
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(.init(name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            } else {
                throw ParseError(description: "a header line without ':'")
            }
        }
        body = Array(bytes[bodyStart...])
    }

    /// The request, with its target read as an absolute URL on its Host.
    func signableRequest() throws -> SignableRequest {
        let host = headers.first { $0.name.lowercased() == "host" }?.value ?? ""
        return try SignableRequest(method: method, url: "http://\(host)\(target)", headers: headers, body: body)
    }
}
