import Foundation
import Logging

/// Runs the instances of one function as Lambda does: a process per instance started on
/// demand up to the function's concurrency, each fed invocations through its own Runtime API;
/// the timeout enforced by killing the instance; a crashed instance replaced by a fresh one.
public actor FunctionPool {
    /// How an instance's runtime ended an invocation.
    enum RuntimeOutcome {
        case response(Data)
        case error(Data, typeHeader: String?)
        case responseTooLarge
    }

    /// Whether the Runtime API accepted a result.
    enum Acknowledgement { case accepted, unknownRequest }

    /// An invocation handed to an instance, with what its headers say.
    struct Assignment {
        var invocation: Invocation
        var deadlineMilliseconds: Int64
        var functionARN: String
    }

    public let manifest: FunctionManifest
    private let launch: InstanceLaunch
    private let maximumInstances: Int
    private let log: EmulatorLog
    private var instances: [Int: FunctionInstance] = [:]
    private var waitingForNext: [(instanceID: Int, continuation: CheckedContinuation<Assignment?, Never>)] = []
    private var queue: [QueuedInvocation] = []
    private var nextInstanceID = 1
    private var isShuttingDown = false

    private struct QueuedInvocation {
        var invocation: Invocation
        var continuation: CheckedContinuation<InvocationResult, Never>
    }

    init(manifest: FunctionManifest, launch: InstanceLaunch, maximumInstances: Int, log: EmulatorLog) {
        self.manifest = manifest
        self.launch = launch
        self.maximumInstances = maximumInstances
        self.log = log
    }

    /// The environment an instance of this function starts with (the Runtime API's address
    /// and the instance's log stream aside), as Lambda would give it.
    public nonisolated var environment: [String: String] {
        launch.environment(for: manifest, runtimeAPIPort: 0, instanceID: 0)
    }

    /// The number of instances running now (starting, idle or busy).
    public var instanceCount: Int { instances.count }

    /// The number of instances waiting for an invocation.
    var idleInstanceCount: Int { waitingForNext.count }

    /// Runs one invocation and returns its result once the function has answered, failed,
    /// crashed or timed out.
    public func invoke(_ invocation: Invocation) async -> InvocationResult {
        if isShuttingDown {
            return .failure(.init(errorType: "ServiceException", errorMessage: "emulator is shutting down"))
        }
        return await withCheckedContinuation { continuation in
            queue.append(QueuedInvocation(invocation: invocation, continuation: continuation))
            dispatch()
        }
    }

    /// Hands queued invocations to waiting instances and starts instances for the rest. The
    /// instance that became idle last goes first: its process, caches and database connection
    /// are the warmest, and instances started for a burst stay idle once it has passed.
    private func dispatch() {
        while !queue.isEmpty, !waitingForNext.isEmpty {
            let waiting = waitingForNext.removeLast()
            let queued = queue.removeFirst()
            waiting.continuation.resume(returning: assign(queued, to: waiting.instanceID))
        }
        let starting = instances.values.filter(\.isStarting).count
        let wanted = min(queue.count - starting, maximumInstances - instances.count)
        if wanted > 0 {
            for _ in 0..<wanted { startInstance() }
        }
    }

    private func startInstance() {
        let id = nextInstanceID
        nextInstanceID += 1
        instances[id] = FunctionInstance(id: id)
        Task { await self.launchInstance(id) }
    }

    private func launchInstance(_ id: Int) async {
        do {
            let server = try await RuntimeAPIServer.start(instanceID: id, pool: self)
            guard instances[id] != nil, !isShuttingDown else {
                server.stop()
                return
            }
            let process = try launch.start(manifest: manifest, runtimeAPIPort: server.port, instanceID: id, log: log) {
                [weak self] termination in
                Task { await self?.instanceExited(id, termination: termination) }
            }
            instances[id]?.started(process: process, server: server)
        } catch {
            log.line("instance failed to start: \(error)", function: manifest.name)
            instances[id] = nil
            failOldestQueued(with: .init(errorType: "Runtime.InvalidEntrypoint", errorMessage: "\(error)"))
            dispatch()
        }
    }

    // MARK: - The Runtime API's calls

    /// `GET /invocation/next`: the next invocation for the instance, waiting for one if need be;
    /// nil when the instance is being stopped.
    func nextInvocation(instanceID: Int) async -> Assignment? {
        guard var instance = instances[instanceID], !isShuttingDown else { return nil }
        if instance.isStarting {
            instance.finishedInitialization()
        } else if let abandoned = instance.finishInvocation() {
            abandoned.timeout?.cancel()
            finish(
                abandoned, instance: instance,
                result: .failure(
                    .init(
                        errorType: "Runtime.InvalidResponse",
                        errorMessage:
                            "RequestId: \(abandoned.invocation.requestID) Error: runtime asked for the next event without answering"
                    )))
        }
        instances[instanceID] = instance
        if !queue.isEmpty { return assign(queue.removeFirst(), to: instanceID) }
        return await withCheckedContinuation { continuation in
            waitingForNext.append((instanceID, continuation))
        }
    }

    /// `POST /invocation/{id}/response` and `/error`.
    func complete(instanceID: Int, requestID: String, outcome: RuntimeOutcome) -> Acknowledgement {
        guard var instance = instances[instanceID], instance.currentRequestID == requestID,
            let inFlight = instance.finishInvocation()
        else { return .unknownRequest }
        inFlight.timeout?.cancel()
        instances[instanceID] = instance
        let result: InvocationResult
        switch outcome {
        case .response(let body):
            result = .success(body)
        case .error(let body, let typeHeader):
            result = .failure(FunctionFailure(postedBody: body, typeHeader: typeHeader))
        case .responseTooLarge:
            result = .failure(
                .init(
                    errorType: "Function.ResponseSizeTooLarge",
                    errorMessage:
                        "Response payload size exceeded maximum allowed payload size (\(RuntimeAPIServer.maximumResponseBytes) bytes)."
                ))
        }
        finish(inFlight, instance: instance, result: result)
        return .accepted
    }

    /// `POST /init/error`: the instance could not initialize; the invocation waiting for it fails.
    func initializationFailed(instanceID: Int, body: Data, typeHeader: String?) {
        guard let instance = instances[instanceID] else { return }
        let failure = FunctionFailure(postedBody: body, typeHeader: typeHeader)
        log.line(
            "INIT_REPORT Init Duration: \(Self.milliseconds(instance.elapsedSinceStart))\tPhase: init\tStatus: error\tError Type: \(failure.errorType)",
            function: manifest.name)
        removeInstance(instanceID, kill: true)
        failOldestQueued(with: failure)
        dispatch()
    }

    // MARK: - Lifecycle events

    private func assign(_ queued: QueuedInvocation, to instanceID: Int) -> Assignment {
        let deadline = Int64((Date().timeIntervalSince1970 + Double(manifest.timeout)) * 1000)
        let invocation = queued.invocation
        let timeout = Task { [manifest] in
            try await Task.sleep(for: .seconds(manifest.timeout))
            await self.timedOut(instanceID: instanceID, requestID: invocation.requestID)
        }
        instances[instanceID]?.begin(.init(invocation: invocation, continuation: queued.continuation, timeout: timeout))
        log.line("START RequestId: \(invocation.requestID) Version: $LATEST", function: manifest.name)
        return Assignment(
            invocation: invocation, deadlineMilliseconds: deadline, functionARN: launch.functionARN(manifest.name))
    }

    private func timedOut(instanceID: Int, requestID: String) {
        guard var instance = instances[instanceID], instance.currentRequestID == requestID,
            let inFlight = instance.finishInvocation()
        else { return }
        let seconds = String(format: "%.2f", Double(manifest.timeout))
        log.line("\(Self.timestamp()) \(requestID) Task timed out after \(seconds) seconds", function: manifest.name)
        instances[instanceID] = instance
        finish(
            inFlight, instance: instance,
            result: .failure(
                .init(
                    errorType: "Sandbox.Timedout",
                    errorMessage: "RequestId: \(requestID) Error: Task timed out after \(seconds) seconds")),
            status: "timeout")
        removeInstance(instanceID, kill: true)
        dispatch()
    }

    private func instanceExited(_ instanceID: Int, termination: ChildProcess.Termination) {
        guard var instance = instances[instanceID] else { return }
        let cause = termination.description
        if let inFlight = instance.finishInvocation() {
            inFlight.timeout?.cancel()
            let requestID = inFlight.invocation.requestID
            log.line(
                "RequestId: \(requestID) Error: Runtime exited with error: \(cause)\nRuntime.ExitError",
                function: manifest.name)
            finish(
                inFlight, instance: instance,
                result: .failure(
                    .init(
                        errorType: "Runtime.ExitError",
                        errorMessage: "RequestId: \(requestID) Error: Runtime exited with error: \(cause)")),
                status: "error")
        } else if instance.isStarting {
            log.line(
                "INIT_REPORT Init Duration: \(Self.milliseconds(instance.elapsedSinceStart))\tPhase: init\tStatus: error\tError Type: Runtime.ExitError",
                function: manifest.name)
            failOldestQueued(
                with: .init(errorType: "Runtime.ExitError", errorMessage: "Runtime exited with error: \(cause)"))
        }
        removeInstance(instanceID, kill: false)
        dispatch()
    }

    private func finish(
        _ inFlight: FunctionInstance.InFlight, instance: FunctionInstance, result: InvocationResult,
        status: String? = nil
    ) {
        let requestID = inFlight.invocation.requestID
        let duration = Date().timeIntervalSince(inFlight.startedAt) * 1000
        var report = "REPORT RequestId: \(requestID)\tDuration: \(Self.twoDecimals(duration)) ms"
        report += "\tBilled Duration: \(Int(duration.rounded(.up))) ms\tMemory Size: \(manifest.memory) MB"
        report += "\tMax Memory Used: \(instance.maximumMemoryUsedMB) MB"
        if let initDuration = inFlight.initDuration { report += "\tInit Duration: \(Self.milliseconds(initDuration))" }
        if let status { report += "\tStatus: \(status)" }
        log.line("END RequestId: \(requestID)", function: manifest.name)
        log.line(report, function: manifest.name)
        inFlight.continuation.resume(returning: result)
    }

    private func failOldestQueued(with failure: FunctionFailure) {
        guard !queue.isEmpty else { return }
        queue.removeFirst().continuation.resume(returning: .failure(failure))
    }

    private func isFinishingAfterResponse(_ instance: FunctionInstance) -> Bool {
        !instance.isStarting && instance.currentRequestID == nil
            && !waitingForNext.contains { $0.instanceID == instance.id }
    }

    private func removeInstance(_ instanceID: Int, kill: Bool) {
        guard let instance = instances.removeValue(forKey: instanceID) else { return }
        if let index = waitingForNext.firstIndex(where: { $0.instanceID == instanceID }) {
            waitingForNext.remove(at: index).continuation.resume(returning: nil)
        }
        instance.stop(kill: kill)
    }

    /// Stops every instance and fails what is still queued. An instance that has answered but
    /// not yet asked for the next event is doing its after-response work (a request log line),
    /// which Lambda lets finish: it gets up to `grace` to do so.
    public func shutdown(grace: Duration = .seconds(2)) async {
        let clock = ContinuousClock()
        let end = clock.now + grace
        while clock.now < end, instances.values.contains(where: isFinishingAfterResponse) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        isShuttingDown = true
        for queued in queue {
            queued.continuation.resume(
                returning: .failure(.init(errorType: "ServiceException", errorMessage: "emulator is shutting down")))
        }
        queue.removeAll()
        let ids = Array(instances.keys)
        for id in ids {
            if var instance = instances[id], let inFlight = instance.finishInvocation() {
                inFlight.timeout?.cancel()
                inFlight.continuation.resume(
                    returning: .failure(.init(errorType: "ServiceException", errorMessage: "emulator is shutting down"))
                )
                instances[id] = instance
            }
            removeInstance(id, kill: false)
        }
    }

    // MARK: - Formatting

    private static func milliseconds(_ interval: TimeInterval) -> String {
        "\(twoDecimals(interval * 1000)) ms"
    }

    /// `value` (not negative) with two decimals, as `%.2f` writes it; `String(format:)` was a
    /// tenth of the emulator's cost of ending an invocation.
    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((max(value, 0) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
