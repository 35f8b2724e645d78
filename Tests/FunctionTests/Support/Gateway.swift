import Foundation
import KloudCore
import LoopbackServers

/// Requests to the emulator's API Gateway as a client sees them: redirects are not followed,
/// so each answer is checked as sent.
struct Gateway: Sendable {
    let base: String
    /// The loopback address the requests come from (the gateway's `sourceIp`), as a client of
    /// its own; nil: 127.0.0.1, like every other test's.
    var sourceAddress: String?
    let http = HTTPClient()

    init(base: String, sourceAddress: String? = nil) {
        self.base = base
        self.sourceAddress = sourceAddress
    }

    func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil
    ) async throws -> HTTPResponse {
        if let sourceAddress { return try await send(method, path, headers: headers, body: body, from: sourceAddress) }
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name: name, value: value) }
        return try await http.execute(
            HTTPRequest(
                method: method, url: base + path, headers: fields, body: body.map { .bytes(Array($0.utf8)) } ?? .empty))
    }

    func form(
        _ path: String, _ fields: [(String, String)], headers: [String: String] = [:]
    ) async throws -> HTTPResponse {
        var all = headers
        all["Content-Type"] = "application/x-www-form-urlencoded"
        return try await send("POST", path, headers: all, body: FormEncoding.encode(fields))
    }

    func json(
        _ method: String, _ path: String, _ object: Any, headers: [String: String] = [:]
    ) async throws
        -> HTTPResponse
    {
        var all = headers
        all["Content-Type"] = "application/json"
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return try await send(method, path, headers: all, body: body)
    }
}

extension Gateway {
    /// One request on a connection of its own from `source`, sent and read on a thread of its own
    /// (the gateway answers on this process's concurrency pool, which a blocking read must not hold).
    private func send(
        _ method: String, _ path: String, headers: [String: String], body: String?, from source: String
    ) async throws -> HTTPResponse {
        guard let port = URL(string: base)?.port else { throw FunctionTestFailure("the gateway \(base) has no port") }
        let exchange = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        try LoopbackHTTPExchange.send(
                            method, path, headers: headers.map { ($0.key, $0.value) }, body: Array((body ?? "").utf8),
                            port: port, from: source)
                    })
            }.start()
        }
        var fields = HTTPHeaders()
        for header in exchange.headers { fields.add(name: header.name, value: header.value) }
        return HTTPResponse(status: exchange.status, headers: fields, body: exchange.body)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    func object() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw FunctionTestFailure("not a JSON object: \(text)")
        }
        return object
    }

    /// The query parameters of the `Location` header.
    var locationParameters: [String: String] {
        guard let location = headers["Location"], let query = location.split(separator: "?", maxSplits: 1).last,
            location.contains("?")
        else { return [:] }
        return FormEncoding.firstValues(String(query))
    }

    /// The value a `Set-Cookie` header gives cookie `name`.
    func cookie(_ name: String) -> String? {
        for header in headers.values(named: "Set-Cookie") where header.hasPrefix(name + "=") {
            return String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }
}

struct FunctionTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
