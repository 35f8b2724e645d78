import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// The sample events every function ships under `functions/NAME/events/`, with a session, an
/// API key and an OAuth access token made as a person and a client make them: the
/// authenticated ones reach the database and answer 2xx, the anonymous ones are refused. The
/// packaged-function test runs the same events against `make package`'s zips.
@Suite struct SampleEventTests {
    @Test func everySampleEventIsAnsweredAsItsNameSays() async throws {
        let stack = try await FunctionStack.shared.running()
        let functions = URL(fileURLWithPath: TestEnvironment.packageRoot + "/functions")
        let names = try FileManager.default.contentsOfDirectory(atPath: functions.path).filter {
            FileManager.default.fileExists(atPath: functions.appendingPathComponent("\($0)/events").path)
        }.sorted()
        let person = UUID().uuidString.lowercased()
        let credentials = SampleCredentials(gateway: stack.gateway) {
            var claims = stack.sessions.claims(lifetime: 600)
            claims["sub"] = "user_\(person)"
            claims["email"] = "\(person)@example.com"
            return try stack.sessions.token(claims: claims)
        }

        let problems = try await SampleEvents.problems(
            functions: functions, names: names, emulator: stack.emulator, credentials: credentials)

        #expect(names.count == 7)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
