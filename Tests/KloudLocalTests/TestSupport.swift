import Foundation

@testable import KloudLocal

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Paths of the package, its built binaries and its test fixtures.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtureFunctions = packageRoot.appendingPathComponent("Tests/Fixtures/functions")
    /// Built binaries: `KLOUDHUB_BIN` (what `swift build --show-bin-path` prints), else `.build/debug`.
    static let binaries = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_BIN"]
            ?? packageRoot.appendingPathComponent(".build/debug").path)
    static let probeBinary = binaries.appendingPathComponent("runtime-probe")
}

/// An emulator over the fixture functions on free ports, with its log recorded.
struct TestEmulator {
    let emulator: Emulator
    let endpoints: Emulator.Endpoints
    let log: LogRecorder

    static func start(
        environment: [String: String] = [:], integrationTimeout: Duration = .seconds(30),
        scheduleSpeedup: Double? = nil, configure: (inout EmulatorConfiguration) -> Void = { _ in }
    ) async throws -> TestEmulator {
        var configuration = EmulatorConfiguration(
            functionFolders: [TestPaths.fixtureFunctions], binaryFolder: TestPaths.binaries)
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.testEnvironment = environment
        configuration.integrationTimeout = integrationTimeout
        configuration.isSchedulerEnabled = scheduleSpeedup != nil
        configuration.scheduleSpeedup = scheduleSpeedup ?? 1
        configuration.asyncRetryDelays = [.milliseconds(50), .milliseconds(100)]
        let log = LogRecorder()
        configuration.log = log.log()
        configure(&configuration)
        let emulator = try Emulator(configuration: configuration)
        return TestEmulator(emulator: emulator, endpoints: try await emulator.start(), log: log)
    }

    /// Invokes `function` with `event` (JSON text) directly.
    func invoke(_ event: String, function: String = "runtime-probe") async throws -> InvocationResult {
        try await emulator.invoke(function, Invocation(payload: Data(event.utf8)))
    }

    /// Invokes and decodes a successful JSON object response.
    func invokeObject(_ event: String, function: String = "runtime-probe") async throws -> [String: Any] {
        let result = try await invoke(event, function: function)
        guard case .success(let data) = result,
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw TestFailure(
                "expected a JSON object response, got \(result); " + log.recorded.suffix(20).joined(separator: "\n"))
        }
        return object
    }

    func lines(containing text: String) -> [String] { log.recorded.filter { $0.contains(text) } }

    func stop() async { await emulator.shutdown() }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A plain HTTP exchange, as curl would make it.
struct HTTPExchange {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw TestFailure("body is not a JSON object: \(text)")
        }
        return object
    }

    static func send(
        _ method: String, _ url: URL, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> HTTPExchange {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 60
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            fields[String(describing: name).lowercased()] = String(describing: value)
        }
        return HTTPExchange(status: http.statusCode, headers: fields, body: data)
    }
}

extension Emulator.Endpoints {
    func gateway(_ pathAndQuery: String) -> URL { URL(string: gateway.absoluteString + pathAndQuery)! }
    func invocation(of function: String) -> URL {
        URL(string: lambda.absoluteString + "/2015-03-31/functions/\(function)/invocations")!
    }
}

/// Waits up to ten seconds for `condition` to hold.
/// Waits for `condition`; the bound is generous because it only keeps a broken emulator from
/// hanging the run: a loaded CI machine may take many seconds to start processes.
func eventually(_ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(90)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("condition did not hold within 90 s")
}
