import Foundation
import Synchronization

/// Runs a command to completion through ``ChildProcess``.
///
/// Foundation's `Process` learns of a child's end from SIGCHLD on a thread of its own; when
/// that thread is first made from a thread of Swift's concurrency pool, it inherits a mask
/// that blocks SIGCHLD, and `waitUntilExit` never returns. A `waitpid` thread per child does not
/// depend on signals at all.
public enum CommandRunner {
    /// What a finished command left behind.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: Data
        public var errorOutput: Data

        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments` and returns its exit status and outputs.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String? = nil
    ) async throws -> Outcome {
        try await start(executable, arguments, environment, workingDirectory).outcome()
    }

    /// The same, blocking the calling thread; for synchronous callers outside the concurrency pool.
    public static func runBlocking(
        _ executable: URL, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String? = nil
    ) throws -> Outcome {
        try start(executable, arguments, environment, workingDirectory).waitForOutcome()
    }

    private static func start(
        _ executable: URL, _ arguments: [String], _ environment: [String: String], _ workingDirectory: String?
    ) throws -> Collector {
        let collector = Collector()
        _ = try ChildProcess.spawn(
            executable: executable.path, arguments: arguments, environment: environment,
            workingDirectory: workingDirectory,
            output: .separate(
                standardOutput: { collector.add($0, isError: false) },
                standardError: { collector.add($0, isError: true) }),
            onExit: { collector.finish($0) })
        return collector
    }
}

/// Gathers a child's outputs until both have ended and the child has exited.
private final class Collector: Sendable {
    private struct State {
        var output = Data()
        var errorOutput = Data()
        var openStreams = 2
        var termination: ChildProcess.Termination?
        var waiter: CheckedContinuation<CommandRunner.Outcome, Never>?
    }

    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    func add(_ chunk: Data, isError: Bool) {
        let ready = state.withLock { state -> Bool in
            if chunk.isEmpty {
                state.openStreams -= 1
            } else if isError {
                state.errorOutput.append(chunk)
            } else {
                state.output.append(chunk)
            }
            return state.openStreams == 0 && state.termination != nil
        }
        if ready { deliver() }
    }

    func finish(_ termination: ChildProcess.Termination) {
        let ready = state.withLock { state -> Bool in
            state.termination = termination
            return state.openStreams == 0
        }
        if ready { deliver() }
    }

    func outcome() async -> CommandRunner.Outcome {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> CommandRunner.Outcome? in
                guard state.openStreams == 0, let termination = state.termination else {
                    state.waiter = continuation
                    return nil
                }
                return Self.outcome(state, termination)
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    func waitForOutcome() -> CommandRunner.Outcome {
        finished.wait()
        return state.withLock { Self.outcome($0, $0.termination!) }
    }

    private func deliver() {
        let (waiter, outcome) = state.withLock { state in
            defer { state.waiter = nil }
            return (state.waiter, Self.outcome(state, state.termination!))
        }
        finished.signal()
        waiter?.resume(returning: outcome)
    }

    private static func outcome(_ state: State, _ termination: ChildProcess.Termination) -> CommandRunner.Outcome {
        let status: Int32 =
            switch termination {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        return CommandRunner.Outcome(status: status, output: state.output, errorOutput: state.errorOutput)
    }
}
