import FoundationEssentials
import Glibc

/// A program a function runs (Terraform, in deploy), without Foundation's `Process`: started
/// with `posix_spawn` in a process group of its own, with exactly the environment given
/// (nothing of the function's own leaks in), every signal at its default and unblocked (the
/// threads of Swift's concurrency pool block nearly all of them, and a child inherits the mask),
/// only standard input, output and error open, and its output and errors read together as
/// they come.
public final class ChildProgram: Sendable {
    /// How the program ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var succeeded: Bool { self == .exited(0) }

        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    /// Why a program could not be started.
    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var executable: String
        public var code: Int32
        public var description: String { "\(executable) could not be started (\(String(cString: strerror(code))))" }
    }

    public let processID: pid_t
    private let outputDescriptor: Int32

    /// Starts `executable` with `arguments`, its environment exactly `environment`.
    public init(executable: String, arguments: [String], environment: [String: String]) throws(LaunchError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw LaunchError(executable: executable, code: errno) }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 2)
        Self.closeFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(ends[1])
        guard status == 0 else {
            close(ends[0])
            throw LaunchError(executable: executable, code: status)
        }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        processID = pid
        outputDescriptor = ends[0]
    }

    deinit {
        close(outputDescriptor)
    }

    /// Reads the output as it comes, handing each chunk to `output`, until the program has ended;
    /// polls every `interval` (so it never holds a thread) and calls `poll` each time, where the
    /// caller may interrupt or kill the program. Call it once.
    public func wait(
        pollingEvery interval: Duration = .milliseconds(100), output: ([UInt8]) async -> Void,
        poll: () -> Void = {}
    ) async -> Termination {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let ended = reap()
            // What is written so far; once it has ended, what is left in the pipe.
            while true {
                let count = buffer.withUnsafeMutableBytes { read(outputDescriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                await output(Array(buffer[..<count]))
            }
            if let ended { return ended }
            poll()
            try? await Task.sleep(for: interval)
        }
    }

    /// Asks the program to stop as Ctrl-C in a terminal would (Terraform then stops cleanly and
    /// releases its state lock).
    public func interrupt() { _ = Glibc.kill(-processID, SIGINT) }

    /// Stops the program and its children at once.
    public func kill() { _ = Glibc.kill(-processID, SIGKILL) }

    private func reap() -> Termination? {
        var status: Int32 = 0
        guard waitpid(processID, &status, WNOHANG) == processID else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (Swift's Glibc module does not export
    /// it): the program gets none of the function's descriptors (its database connection).
    private static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }
}
