import Foundation
import Testing

@testable import KloudLocal

/// Clients the project did not write, as judges: boto3 against the Invoke API, and the
/// `kloudhub-local` command itself.
@Suite("External clients")
struct ExternalClientTests {
    private func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outcome = try await CommandRunner.run(URL(fileURLWithPath: executable), arguments)
        return (outcome.status, outcome.text)
    }

    private var python: String {
        ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"] ?? "/usr/bin/env"
    }

    private var pythonPrefix: [String] { python == "/usr/bin/env" ? ["python3"] : [] }

    @Test func boto3InvokesThroughTheInvokeAPI() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let script = """
            import boto3, json, sys
            client = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1",
                                  aws_access_key_id="AKIDLOCAL", aws_secret_access_key="local")
            ok = client.invoke(FunctionName="runtime-probe", Payload=json.dumps({"action": "echo", "n": 7}))
            failed = client.invoke(FunctionName="runtime-probe", Payload=b'{"action":"throw"}')
            queued = client.invoke(FunctionName="runtime-probe", InvocationType="Event", Payload=b"{}")
            try:
                client.invoke(FunctionName="missing", Payload=b"{}")
                missing = "no error"
            except client.exceptions.ResourceNotFoundException:
                missing = "ResourceNotFoundException"
            print(json.dumps({"n": json.loads(ok["Payload"].read())["n"], "error": failed.get("FunctionError"),
                              "queued": queued["StatusCode"], "missing": missing}))
            """
        let (status, output) = try await run(
            python, pythonPrefix + ["-c", script, local.endpoints.lambda.absoluteString])
        #expect(status == 0)
        let answer = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        #expect(answer?["n"] as? Int == 7)
        #expect(answer?["error"] as? String == "Unhandled")
        #expect(answer?["queued"] as? Int == 202)
        #expect(answer?["missing"] as? String == "ResourceNotFoundException")
    }

    @Test func invokeCommandPrintsTheResponse() async throws {
        let command = TestPaths.binaries.appendingPathComponent("kloudhub-local").path
        let common = ["--functions", TestPaths.fixtureFunctions.path, "--bin", TestPaths.binaries.path]
        let echo = TestPaths.fixtureFunctions.appendingPathComponent("runtime-probe/events/echo.json").path
        let (status, output) = try await run(command, ["invoke", "runtime-probe", "--event", echo] + common)
        #expect(status == 0)
        #expect(output.contains(#""message":"hello""#))
        let failing = FileManager.default.temporaryDirectory.appendingPathComponent("throw-\(UUID().uuidString).json")
        try Data(#"{"action":"throw","message":"nope"}"#.utf8).write(to: failing)
        defer { try? FileManager.default.removeItem(at: failing) }
        let (failedStatus, failedOutput) = try await run(
            command, ["invoke", "runtime-probe", "--event", failing.path] + common)
        #expect(failedStatus == 1)
        #expect(failedOutput.contains(#""errorType":"ProbeFailure""#))
    }

    @Test func invokeCommandRefusesAnUnknownFunction() async throws {
        let command = TestPaths.binaries.appendingPathComponent("kloudhub-local").path
        let (status, _) = try await run(
            command,
            ["invoke", "nope", "--functions", TestPaths.fixtureFunctions.path, "--bin", TestPaths.binaries.path])
        #expect(status != 0)
    }
}
