import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

@testable import KloudLocal

/// The runtime binary against a scripted Runtime API, for what the emulator's pool hides:
/// the exact error requests, exit statuses and signals.
@Suite("Runtime process lifecycle")
struct RuntimeProcessTests {
    /// A Runtime API that records each request and answers `next` as told.
    final class ScriptedRuntimeAPI: Sendable {
        enum NextAnswer: Sendable { case never, serverError, event(String) }
        struct Recorded: Sendable {
            var method: String
            var path: String
            var headers: [String: String]
            var body: String
        }

        let requests = Mutex<[Recorded]>([])
        let nextAnswer: NextAnswer
        init(next: NextAnswer) { nextAnswer = next }

        func start() async throws -> ServerTask {
            try await ServerTask.start(
                CallbackResponder<BasicRequestContext> { [self] request, _ in
                    var body = Data()
                    for try await buffer in request.body { body.append(contentsOf: buffer.readableBytesView) }
                    var headers: [String: String] = [:]
                    for field in request.headers { headers[field.name.canonicalName] = field.value }
                    self.requests.withLock {
                        $0.append(
                            .init(
                                method: request.method.rawValue, path: request.uri.path, headers: headers,
                                body: String(decoding: body, as: UTF8.self)))
                    }
                    if request.uri.path.hasSuffix("/next") {
                        switch self.nextAnswer {
                        case .never:
                            try await Task.sleep(for: .seconds(3600))
                            return Response(status: .noContent)
                        case .serverError:
                            return Response(status: .internalServerError)
                        case .event(let event):
                            var fields = HTTPFields()
                            fields[HTTPField.Name("Lambda-Runtime-Aws-Request-Id")!] = "req-1"
                            fields[HTTPField.Name("Lambda-Runtime-Deadline-Ms")!] = String(
                                Int64(Date().timeIntervalSince1970 * 1000) + 60_000)
                            return Response(
                                status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: event)))
                        }
                    }
                    return Response(status: .accepted)
                }, host: "127.0.0.1", port: 0, name: "scripted Runtime API")
        }
    }

    private func launchProbe(port: Int, environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess.spawn(
            executable: TestPaths.probeBinary.path, arguments: [],
            environment: ["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(port)", "AWS_LAMBDA_FUNCTION_NAME": "runtime-probe"]
                .merging(environment) { _, new in new },
            output: { _ in })
    }

    private func waitForRequest(
        _ api: ScriptedRuntimeAPI, matching path: String
    ) async throws -> ScriptedRuntimeAPI.Recorded {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let found = api.requests.withLock({ $0.first { $0.path.hasSuffix(path) } }) { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("no request to \(path)")
    }

    @Test func sigtermEndsAnIdleRuntimeCleanly() async throws {
        let api = ScriptedRuntimeAPI(next: .never)
        let server = try await api.start()
        defer { server.stop() }
        let process = try launchProbe(port: server.port)
        _ = try await waitForRequest(api, matching: "/invocation/next")
        process.send(SIGTERM)
        try #require(await process.waitForExit(within: .seconds(30)))
        #expect(process.terminated == .exited(0))
    }

    @Test func failingNextEndsTheProcessPromptly() async throws {
        let api = ScriptedRuntimeAPI(next: .serverError)
        let server = try await api.start()
        defer { server.stop() }
        let process = try launchProbe(port: server.port)
        try #require(await process.waitForExit(within: .seconds(30)))
        #expect(process.terminated == .exited(1))
    }

    @Test func initFailureIsPostedToInitErrorAndTheProcessExits() async throws {
        let api = ScriptedRuntimeAPI(next: .never)
        let server = try await api.start()
        defer { server.stop() }
        let process = try launchProbe(port: server.port, environment: ["PROBE_FAIL_INIT": "no database url"])
        let posted = try await waitForRequest(api, matching: "/2018-06-01/runtime/init/error")
        #expect(posted.method == "POST")
        #expect(posted.headers["lambda-runtime-function-error-type"] == "Runtime.InitError")
        #expect(posted.headers["content-type"] == "application/vnd.aws.lambda.error+json")
        let body = try JSONSerialization.jsonObject(with: Data(posted.body.utf8)) as? [String: Any]
        #expect(body?["errorMessage"] as? String == "no database url")
        #expect(body?["errorType"] as? String == "Runtime.InitError")
        #expect(body?["stackTrace"] is [Any])
        try #require(await process.waitForExit(within: .seconds(30)))
        #expect(process.terminated == .exited(1))
        #expect(api.requests.withLock { $0.contains { $0.path.hasSuffix("/next") } } == false)
    }

    @Test func handlerErrorIsPostedWithItsFunctionErrorType() async throws {
        let api = ScriptedRuntimeAPI(next: .event(#"{"action":"throw","message":"nope"}"#))
        let server = try await api.start()
        defer { server.stop() }
        let process = try launchProbe(port: server.port)
        defer { process.send(SIGKILL) }
        let posted = try await waitForRequest(api, matching: "/invocation/req-1/error")
        #expect(posted.headers["lambda-runtime-function-error-type"] == "Function.ProbeFailure")
        #expect(posted.headers["content-type"] == "application/vnd.aws.lambda.error+json")
    }

    @Test func missingRuntimeAPIAddressExitsWithAnError() async throws {
        let process = try ChildProcess.spawn(
            executable: TestPaths.probeBinary.path, arguments: [], environment: [:], output: { _ in })
        try #require(await process.waitForExit(within: .seconds(30)))
        #expect(process.terminated == .exited(1))
    }
}
