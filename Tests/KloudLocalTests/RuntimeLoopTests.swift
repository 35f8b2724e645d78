import Foundation
import Testing

@testable import KloudLocal

/// The runtime loop in a real function binary, driven through the emulator's Runtime API.
@Suite("Runtime loop through the emulator")
struct RuntimeLoopTests {
    @Test func echoesTheEvent() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let echoed = try await local.invokeObject(#"{"action":"echo","message":"héllo ✓"}"#)
        #expect(echoed["message"] as? String == "héllo ✓")
    }

    @Test func contextCarriesDeadlineFunctionARNAndTraceID() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let before = Date().timeIntervalSince1970 * 1000
        let context = try await local.invokeObject(#"{"action":"context"}"#)
        let after = Date().timeIntervalSince1970 * 1000
        let deadline = try #require(context["deadlineMilliseconds"] as? Double)
        #expect(deadline >= before + 5999 && deadline <= after + 6001, "the manifest's timeout is 6 s")
        #expect(
            context["invokedFunctionARN"] as? String == "arn:aws:lambda:us-east-1:000000000000:function:runtime-probe")
        let traceID = try #require(context["traceID"] as? String)
        #expect(
            traceID.wholeMatch(of: /Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0/) != nil, "\(traceID)"
        )
        #expect(context["traceEnvironment"] as? String == traceID, "_X_AMZN_TRACE_ID holds the invocation's trace id")
        #expect(context["functionName"] as? String == "runtime-probe")
        #expect(context["functionVersion"] as? String == "$LATEST")
        #expect(context["memoryLimitMB"] as? Int == 128)
        #expect(context["greeting"] as? String == "hello from the manifest")
    }

    @Test func eachInvocationGetsItsOwnTraceID() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let first = try await local.invokeObject(#"{"action":"context"}"#)
        let second = try await local.invokeObject(#"{"action":"context"}"#)
        #expect(first["traceEnvironment"] as? String != second["traceEnvironment"] as? String)
        #expect(first["requestID"] as? String != second["requestID"] as? String)
    }

    @Test func thrownErrorBecomesAFunctionError() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let result = try await local.invoke(#"{"action":"throw","message":"disk on fire"}"#)
        guard case .failure(let failure) = result else { throw TestFailure("expected a failure, got \(result)") }
        #expect(failure.errorType == "ProbeFailure")
        #expect(failure.errorMessage == "disk on fire")
        let document = try JSONSerialization.jsonObject(with: failure.document) as? [String: Any]
        #expect(document?["stackTrace"] is [Any])
    }

    @Test func eventThatIsNotJSONIsAnUnmarshalError() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let result = try await local.invoke("{not json")
        guard case .failure(let failure) = result else { throw TestFailure("expected a failure, got \(result)") }
        #expect(failure.errorType == "Runtime.UnmarshalError")
        #expect(failure.errorMessage.hasPrefix("Unable to unmarshal input"))
        #expect(try await local.invokeObject(#"{"action":"echo"}"#)["action"] as? String == "echo")
    }

    @Test func initFailureFailsTheInvocationAndIsReported() async throws {
        let local = try await TestEmulator.start(environment: ["PROBE_FAIL_INIT": "missing configuration"])
        defer { Task { await local.stop() } }
        let result = try await local.invoke(#"{"action":"echo"}"#)
        guard case .failure(let failure) = result else { throw TestFailure("expected a failure, got \(result)") }
        #expect(failure.errorType == "Runtime.InitError")
        #expect(failure.errorMessage == "missing configuration")
        #expect(!local.lines(containing: "INIT_REPORT").isEmpty)
    }

    @Test func timeoutKillsTheInstanceAndTheNextInvocationStartsAFreshOne() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let firstPID = try await local.invokeObject(#"{"action":"context"}"#)["pid"] as? Int
        let result = try await local.invoke(#"{"action":"sleep","milliseconds":8000}"#)
        guard case .failure(let failure) = result else { throw TestFailure("expected a timeout, got \(result)") }
        #expect(failure.errorType == "Sandbox.Timedout")
        #expect(failure.errorMessage.hasSuffix("Task timed out after 6.00 seconds"))
        #expect(!local.lines(containing: "Task timed out after 6.00 seconds").isEmpty)
        let nextPID = try await local.invokeObject(#"{"action":"context"}"#)["pid"] as? Int
        #expect(nextPID != nil && nextPID != firstPID)
    }

    @Test func crashIsReportedAndTheInstanceIsReplaced() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let result = try await local.invoke(#"{"action":"crash","status":7}"#)
        guard case .failure(let failure) = result else { throw TestFailure("expected a crash, got \(result)") }
        #expect(failure.errorType == "Runtime.ExitError")
        #expect(failure.errorMessage.hasSuffix("Runtime exited with error: exit status 7"))
        #expect(try await local.invokeObject(#"{"action":"echo","n":1}"#)["n"] as? Int == 1)
    }

    @Test func responseOverSixMegabytesIsRefusedAndTheRuntimeGoesOn() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let pid = try await local.invokeObject(#"{"action":"context"}"#)["pid"] as? Int
        let result = try await local.invoke(#"{"action":"large","bytes":7000000}"#)
        guard case .failure(let failure) = result else { throw TestFailure("expected a refusal") }
        #expect(failure.errorType == "Function.ResponseSizeTooLarge")
        let underLimit = try await local.invoke(#"{"action":"large","bytes":6000000}"#)
        guard case .success(let justUnder) = underLimit else {
            throw TestFailure("a 6,000,002-byte response is within the limit, got \(underLimit)")
        }
        #expect(justUnder.count == 6_000_002)
        // The instance that refused the response goes on: its process is alive (the next call
        // may still reach another instance if this one has not asked for work yet).
        let instance = try #require(pid)
        #expect(kill(pid_t(instance), 0) == 0, "log: \(local.log.recorded)")
        #expect(try await local.invokeObject(#"{"action":"echo","n":2}"#)["n"] as? Int == 2)
    }

    @Test func reportLinesCarryDurationsMemoryAndInitDurationOnce() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        _ = try await local.invoke(#"{"action":"echo"}"#)
        _ = try await local.invoke(#"{"action":"echo"}"#)
        let reports = local.lines(containing: "REPORT RequestId:")
        try #require(reports.count == 2)
        for report in reports {
            #expect(report.contains("\tDuration: ") && report.contains(" ms\tBilled Duration: "))
            #expect(report.contains("\tMemory Size: 128 MB\tMax Memory Used: "))
            #expect(!report.contains("Max Memory Used: 0 MB"))
        }
        #expect(reports[0].contains("\tInit Duration: "))
        #expect(!reports[1].contains("Init Duration"))
        #expect(local.lines(containing: "START RequestId:").count == 2)
        #expect(local.lines(containing: "END RequestId:").count == 2)
    }

    @Test func concurrentInvocationsRunOnSeveralInstancesUpToTheReservedConcurrency() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let pids = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<6 {
                group.addTask { try await local.invokeObject(#"{"action":"sleep","milliseconds":400}"#)["pid"] as? Int }
            }
            return try await group.reduce(into: Set<Int>()) { if let pid = $1 { $0.insert(pid) } }
        }
        #expect(pids.count >= 2 && pids.count <= 3, "reservedConcurrency is 3; got \(pids.count) instances")
        #expect(await local.emulator.pool(for: "runtime-probe")!.instanceCount <= 3)
    }

    /// The instance that became idle last serves the next invocation; the one idle longer
    /// keeps waiting (instances rotating in turn would each start cold in the CPU's caches).
    @Test func theInstanceIdleLastTakesTheNextInvocation() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let pool = try #require(await local.emulator.pool(for: "runtime-probe"))
        let started = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<2 {
                group.addTask { try await local.invokeObject(#"{"action":"sleep","milliseconds":300}"#)["pid"] as? Int }
            }
            return try await group.reduce(into: Set<Int>()) { if let pid = $1 { $0.insert(pid) } }
        }
        #expect(started.count == 2)
        var served: [Int] = []
        for _ in 0..<4 {
            let deadline = ContinuousClock.now + .seconds(5)
            while await pool.idleInstanceCount < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            served.append(try #require(try await local.invokeObject(#"{"action":"context"}"#)["pid"] as? Int))
        }
        #expect(Set(served).count == 1, "served by \(served)")
    }

    @Test func unknownRequestIDIsRefusedWith400() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await local.invokeObject(#"{"mode":"unknown-id"}"#, function: "raw-runtime")
        #expect(answer["status"] as? Int == 400)
        #expect((answer["body"] as? [String: Any])?["errorType"] as? String == "InvalidRequestID")
    }

    @Test func secondResponseToOneRequestIsRefused() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        guard case .success(let data) = try await local.invoke(#"{"mode":"twice"}"#, function: "raw-runtime") else {
            throw TestFailure("expected the first response")
        }
        #expect(String(decoding: data, as: UTF8.self) == #"{"first": true}"#)
        try await Task.sleep(for: .milliseconds(300))
        #expect(!local.lines(containing: #"{"twice": [202, 400]}"#).isEmpty)
    }
}
