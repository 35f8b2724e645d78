import Foundation
import Synchronization

/// Runs a command to completion on a thread of its own: waiting for a process must not block
/// the concurrency pool that the emulator's servers and pools run on.
public enum CommandRunner {
    /// What a finished command left behind.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: Data
        public var errorOutput: Data

        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments` and returns its exit status and outputs.
    public static func run(_ executable: URL, _ arguments: [String]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let process = Process()
                    process.executableURL = executable
                    process.arguments = arguments
                    let output = Pipe()
                    let errors = Pipe()
                    process.standardOutput = output
                    process.standardError = errors
                    try process.run()
                    let errorData = ErrorCollector(errors.fileHandleForReading)
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(
                        returning: Outcome(
                            status: process.terminationStatus, output: data, errorOutput: errorData.collected()))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }
}

/// Reads a pipe to its end on a thread of its own, so that a command filling its error output
/// cannot block while its standard output is being read.
private final class ErrorCollector: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let data = Mutex(Data())

    init(_ handle: FileHandle) {
        Thread { [self] in
            let all = handle.readDataToEndOfFile()
            data.withLock { $0 = all }
            done.signal()
        }.start()
    }

    func collected() -> Data {
        done.wait()
        return data.withLock { $0 }
    }
}
