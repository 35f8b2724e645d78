import Foundation

@testable import KloudLocal

extension HTTPExchange {
    /// A request made with curl, which follows no redirect: the 303 and its cookie are seen as sent.
    static func curl(
        _ url: URL, form: [String: String]? = nil, headers: [String: String] = [:]
    ) async throws -> HTTPExchange {
        var arguments = ["-sS", "-i", "--max-time", "60"]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let form {
            // Form data makes curl POST it as application/x-www-form-urlencoded.
            if form.isEmpty { arguments += ["--data-raw", ""] }
            for (name, value) in form.sorted(by: { $0.key < $1.key }) {
                arguments += ["--data-urlencode", "\(name)=\(value)"]
            }
        }
        let outcome = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["curl"] + arguments + [url.absoluteString])
        guard outcome.status == 0, let split = outcome.output.range(of: Data("\r\n\r\n".utf8)) else {
            throw TestFailure("curl failed: \(String(decoding: outcome.errorOutput, as: UTF8.self))")
        }
        let head = String(decoding: outcome.output[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let status = head.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw TestFailure("no status line in \(head)")
        }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = fields[name].map { "\($0), \(value)" } ?? value
        }
        return HTTPExchange(status: status, headers: fields, body: Data(outcome.output[split.upperBound...]))
    }
}
