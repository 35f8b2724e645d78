import Foundation
import Synchronization

/// Where the emulator writes what Lambda would send to CloudWatch: each function's own output
/// and the START, END and REPORT lines, prefixed with the function's name.
public struct EmulatorLog: Sendable {
    private let write: @Sendable (String) -> Void

    /// A log that hands every line to `write`.
    public init(write: @escaping @Sendable (String) -> Void) { self.write = write }

    /// Lines go to standard output.
    public static let standardOutput = EmulatorLog { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Writes `line` as said by `function`.
    public func line(_ line: String, function: String) { write("[\(function)] \(line)") }
}

/// Collects the lines of a log in memory (for tests and the benchmark).
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A log that records its lines here.
    public func log() -> EmulatorLog {
        EmulatorLog { [self] line in self.lines.withLock { $0.append(line) } }
    }

    /// Every line so far.
    public var recorded: [String] { lines.withLock { $0 } }
}

/// Splits a stream of bytes into lines, keeping a partial line until its end arrives.
final class LineSplitter: Sendable {
    private let pending = Mutex<[UInt8]>([])
    private let emit: @Sendable (String) -> Void

    init(emit: @escaping @Sendable (String) -> Void) { self.emit = emit }

    func append(_ data: Data) {
        let lines: [String] = pending.withLock { buffer in
            if data.isEmpty {
                defer { buffer.removeAll() }
                return buffer.isEmpty ? [] : [String(decoding: buffer, as: UTF8.self)]
            }
            buffer.append(contentsOf: data)
            var complete: [String] = []
            while let newline = buffer.firstIndex(of: 10) {
                complete.append(String(decoding: buffer[..<newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
            return complete
        }
        lines.forEach(emit)
    }
}
