import Foundation
import Synchronization

/// A child process started with every signal unblocked and at its default action.
///
/// Foundation's `Process` hands its child the signal mask of the thread that spawns it, and
/// the threads of Swift's concurrency pool block nearly every signal: a function or PostgreSQL
/// started that way never sees SIGTERM. `posix_spawn` with an explicit empty mask does.
public final class ChildProcess: Sendable {
    /// How a process ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "signal: \(Self.name(of: signal))"
            }
        }

        private static func name(of signal: Int32) -> String {
            switch signal {
            case SIGKILL: "killed"
            case SIGSEGV: "segmentation fault"
            case SIGABRT: "aborted"
            case SIGTERM: "terminated"
            case SIGILL: "illegal instruction"
            case SIGTRAP: "trace/breakpoint trap"
            default: "\(signal)"
            }
        }
    }

    public let pid: pid_t
    private let termination = Mutex<Termination?>(nil)

    private init(pid: pid_t) { self.pid = pid }

    /// How the process ended, or nil while it runs.
    public var terminated: Termination? { termination.withLock { $0 } }
    public var isRunning: Bool { terminated == nil }

    /// Reads `fd` to its end on a thread of its own; an empty chunk marks the end.
    private static func startReading(_ fd: Int32, into sink: @escaping @Sendable (Data) -> Void) {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                sink(Data(buffer[0..<count]))
            }
            sink(Data())
            close(fd)
        }.start()
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np`, looked up at run time: Swift's Glibc
    /// module does not export it.
    private static func addChangeDirectory(_ actions: inout posix_spawn_file_actions_t, _ path: String) throws {
        typealias AddChangeDirectory =
            @convention(c) (
                UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>
            ) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np")
        else { throw POSIXError(.ENOSYS) }
        let add = unsafeBitCast(symbol, to: AddChangeDirectory.self)
        guard add(&actions, path) == 0 else { throw POSIXError(.EINVAL) }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`: the child keeps only 0, 1 and 2.
    /// Without it every child inherits the emulator's descriptors that lack close-on-exec (its
    /// listening sockets and other children's pipes), so an instance orphaned by a dead
    /// emulator could still connect to an inherited listener and wait forever.
    private static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) throws {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")
        else { throw POSIXError(.ENOSYS) }
        let add = unsafeBitCast(symbol, to: AddCloseFrom.self)
        guard add(&actions, lowest) == 0 else { throw POSIXError(.EINVAL) }
    }

    /// Sends `signal` to the process if it still runs.
    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits until the process has ended, for at most `timeout`; returns whether it has.
    public func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        return !isRunning
    }

    /// Sends SIGTERM, then SIGKILL if the process has not ended after `grace`.
    public func stop(grace: Duration) async {
        send(SIGTERM)
        if await !waitForExit(within: grace) {
            send(SIGKILL)
            _ = await waitForExit(within: .seconds(5))
        }
    }

    /// Where a child's standard output and error go.
    public enum Output: Sendable {
        /// Both, merged, one line at a time.
        case lines(@Sendable (String) -> Void)
        /// Each to its own handler, in chunks as read; an empty chunk marks the end.
        case separate(standardOutput: @Sendable (Data) -> Void, standardError: @Sendable (Data) -> Void)
        /// Both appended to a file.
        case file(String)
    }

    /// Starts `executable`; each line it writes to standard output or error goes to `output`,
    /// and `onExit` is called once it has ended.
    public static func spawn(
        executable: String, arguments: [String], environment: [String: String],
        output: @escaping @Sendable (String) -> Void, onExit: @escaping @Sendable (Termination) -> Void = { _ in }
    ) throws -> ChildProcess {
        try spawn(
            executable: executable, arguments: arguments, environment: environment, output: .lines(output),
            onExit: onExit)
    }

    /// Starts `executable` in `workingDirectory` (when given) with its output sent to `output`;
    /// `onExit` is called once it has ended.
    public static func spawn(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String? = nil,
        output: Output, onExit: @escaping @Sendable (Termination) -> Void = { _ in }
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var readers: [(fd: Int32, sink: @Sendable (Data) -> Void)] = []
        var parentEnds: [Int32] = []
        func pipeInto(_ target: Int32...) throws -> Int32 {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            for fd in target { posix_spawn_file_actions_adddup2(&actions, ends[1], fd) }
            posix_spawn_file_actions_addclose(&actions, ends[0])
            posix_spawn_file_actions_addclose(&actions, ends[1])
            parentEnds.append(ends[1])
            return ends[0]
        }
        switch output {
        case .lines(let emit):
            let splitter = LineSplitter(emit: emit)
            readers.append((try pipeInto(1, 2), { splitter.append($0) }))
        case .separate(let standardOutput, let standardError):
            readers.append((try pipeInto(1), standardOutput))
            readers.append((try pipeInto(2), standardError))
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        if let workingDirectory { try Self.addChangeDirectory(&actions, workingDirectory) }
        try Self.addCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaulted, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        parentEnds.forEach { close($0) }
        guard status == 0 else {
            readers.forEach { close($0.fd) }
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .ENOENT)
        }
        for (fd, sink) in readers { startReading(fd, into: sink) }
        let childPID = pid
        let child = ChildProcess(pid: childPID)
        let waiter = Thread {
            var status: Int32 = 0
            while waitpid(childPID, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7F
            let ended: Termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
            child.termination.withLock { $0 = ended }
            onExit(ended)
        }
        waiter.start()
        return child
    }
}
