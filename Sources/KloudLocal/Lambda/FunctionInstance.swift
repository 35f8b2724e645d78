import Foundation
import KloudCore

/// One running copy of a function (a Lambda sandbox): its process, its Runtime API and the
/// invocation it is serving.
struct FunctionInstance {
    /// An invocation the instance is working on.
    struct InFlight {
        var invocation: Invocation
        var continuation: CheckedContinuation<InvocationResult, Never>
        var timeout: Task<Void, any Error>?
        var startedAt = Date()
        /// Set on the first invocation after a cold start.
        var initDuration: TimeInterval?
    }

    private enum State {
        case starting
        case idle
        case busy(InFlight)
    }

    let id: Int
    private let createdAt = Date()
    private var state = State.starting
    private var pendingInitDuration: TimeInterval?
    private var process: ChildProcess?
    private var server: ServerTask?

    init(id: Int) { self.id = id }

    var isStarting: Bool { if case .starting = state { true } else { false } }

    var currentRequestID: String? {
        if case .busy(let inFlight) = state { return inFlight.invocation.requestID }
        return nil
    }

    var elapsedSinceStart: TimeInterval { Date().timeIntervalSince(createdAt) }

    /// The process's peak resident memory (VmHWM), in megabytes, as Lambda's Max Memory Used.
    var maximumMemoryUsedMB: Int {
        guard let pid = process?.pid, let kilobytes = Self.statusKilobytes(of: "VmHWM:", pid: pid) else { return 0 }
        return (kilobytes + 1023) / 1024
    }

    /// The number after `field` in `/proc/<pid>/status`: one read into a buffer and a scan of its
    /// bytes. It is read after every invocation; `FileManager` and splitting `Data` into lines
    /// cost the emulator 50 µs a call.
    static func statusKilobytes(of field: String, pid: pid_t) -> Int? {
        let descriptor = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        // The text is about 1.5 KB; VmHWM comes in its first half.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            guard count > 0 else { return nil }
            return kilobytes(of: field, in: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The number after `field` at the start of a line of a `/proc/<pid>/status` text.
    static func kilobytes(of field: String, in status: some Collection<UInt8>) -> Int? {
        let name = Array(field.utf8)
        var lineStart = status.startIndex
        while lineStart != status.endIndex {
            let lineEnd = status[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? status.endIndex
            let line = status[lineStart..<lineEnd]
            if line.starts(with: name) {
                let digits = line.dropFirst(name.count).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                    .prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                return digits.isEmpty ? nil : Int(String(decoding: digits, as: UTF8.self))
            }
            lineStart = lineEnd == status.endIndex ? lineEnd : status.index(after: lineEnd)
        }
        return nil
    }

    mutating func started(process: ChildProcess, server: ServerTask) {
        self.process = process
        self.server = server
    }

    /// The runtime's first `next`: initialization is over.
    mutating func finishedInitialization() {
        pendingInitDuration = elapsedSinceStart
        state = .idle
    }

    mutating func begin(_ inFlight: InFlight) {
        var inFlight = inFlight
        inFlight.initDuration = pendingInitDuration
        pendingInitDuration = nil
        state = .busy(inFlight)
    }

    /// Ends the current invocation, returning it; nil when there was none.
    mutating func finishInvocation() -> InFlight? {
        guard case .busy(let inFlight) = state else { return nil }
        state = .idle
        return inFlight
    }

    /// Stops the process (SIGKILL when `kill`, else SIGTERM then SIGKILL after a grace period)
    /// and the Runtime API.
    func stop(kill: Bool) {
        server?.stop()
        guard let process else { return }
        if kill {
            process.send(SIGKILL)
        } else {
            Task.detached { await process.stop(grace: .milliseconds(500)) }
        }
    }
}

/// How to start a function's process: its binary and the environment Lambda would give it.
struct InstanceLaunch: Sendable {
    let region: String
    let accountID: String
    /// Variables every function gets (endpoints of the local services, LOG_LEVEL, PATH).
    let sharedEnvironment: [String: String]
    /// The value of every setting; a function gets those its manifest lists.
    let settings: [Setting: String]
    let databaseSecrets: [DatabaseRole: String]
    let functionCredentials: [String: AWSCredentials]
    let sharedCredentials: AWSCredentials?
    let binaryFolder: URL

    func functionARN(_ name: String) -> String { "arn:aws:lambda:\(region):\(accountID):function:\(name)" }

    /// The executable for `manifest`: a `bootstrap` in its folder (as a Lambda custom runtime
    /// ships), else the built product of the same name.
    func executable(for manifest: FunctionManifest) throws -> URL {
        let candidates = [
            manifest.folder.appendingPathComponent("bootstrap"),
            binaryFolder.appendingPathComponent(manifest.name),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw EmulatorError.missingBinary(function: manifest.name, looked: candidates.map(\.path))
        }
        return found
    }

    func environment(for manifest: FunctionManifest, runtimeAPIPort: Int, instanceID: Int) -> [String: String] {
        var environment = sharedEnvironment
        for setting in manifest.configuration {
            if let value = settings[setting] { environment[setting.rawValue] = value }
        }
        if let role = manifest.databaseRole, let secret = databaseSecrets[role] {
            environment[Setting.databaseSecret] = secret
        }
        if let credentials = functionCredentials[manifest.name] ?? sharedCredentials {
            environment["AWS_ACCESS_KEY_ID"] = credentials.accessKeyID
            environment["AWS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
            environment["AWS_SESSION_TOKEN"] = credentials.sessionToken
        }
        environment.merge(manifest.environment) { _, own in own }
        let day = ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        environment.merge([
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(runtimeAPIPort)",
            "AWS_LAMBDA_FUNCTION_NAME": manifest.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(manifest.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(manifest.name)",
            "AWS_LAMBDA_LOG_STREAM_NAME":
                "\(day.replacingOccurrences(of: "-", with: "/"))/[$LATEST]\(String(format: "%032x", instanceID))",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "LAMBDA_TASK_ROOT": manifest.folder.path,
            "_HANDLER": "bootstrap",
            "TZ": ":UTC",
        ]) { _, lambda in lambda }
        return environment
    }

    /// Starts the process; `onExit` is called when it ends.
    func start(
        manifest: FunctionManifest, runtimeAPIPort: Int, instanceID: Int, log: EmulatorLog,
        onExit: @escaping @Sendable (ChildProcess.Termination) -> Void
    ) throws -> ChildProcess {
        try ChildProcess.spawn(
            executable: try executable(for: manifest).path, arguments: [],
            environment: environment(for: manifest, runtimeAPIPort: runtimeAPIPort, instanceID: instanceID),
            output: { line in log.line(line, function: manifest.name) }, onExit: onExit)
    }
}
