import Foundation
import KloudCore
import KloudLocal

/// The sample events under `functions/NAME/events/`, each invoked on a running emulator with
/// its credentials filled in, and judged as a person would: an event named `…-anonymous` is
/// refused with a 4xx; every other HTTP event is answered 2xx (it reached the database); a
/// schedule's event gets the function's report.
public enum SampleEvents {
    /// What went wrong, one line per event; empty when every event was answered as it should be.
    public static func problems(
        functions: URL, names: [String], emulator: Emulator, credentials: SampleCredentials
    ) async throws -> [String] {
        var problems: [String] = []
        for name in names {
            let events = functions.appendingPathComponent("\(name)/events")
            for event in try FileManager.default.contentsOfDirectory(atPath: events.path).sorted() {
                let payload = try await credentials.fill(Data(contentsOf: events.appendingPathComponent(event)))
                let isHTTP = String(decoding: payload, as: UTF8.self).contains("\"routeKey\"")
                switch try await emulator.invoke(name, Invocation(payload: payload)) {
                case .success(let output):
                    let answer = try? JSONSerialization.jsonObject(with: output) as? [String: Any]
                    let text = String(decoding: output.prefix(400), as: UTF8.self)
                    guard let answer else {
                        problems.append("\(name) \(event): not a JSON object: \(text)")
                        continue
                    }
                    guard isHTTP else { continue }
                    let status = answer["statusCode"] as? Int ?? 0
                    let expected = event.contains("anonymous") ? 400..<500 : 200..<300
                    if !expected.contains(status) { problems.append("\(name) \(event): \(status) \(text)") }
                case .failure(let failure):
                    problems.append("\(name) \(event): \(String(decoding: failure.document, as: UTF8.self))")
                }
            }
        }
        try await credentials.revoke()
        return problems
    }
}
