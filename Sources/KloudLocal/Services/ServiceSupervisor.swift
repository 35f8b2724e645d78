import Foundation

/// A local stand-in for a managed service (PostgreSQL, the AWS endpoint) that the emulator runs
/// as a child process when no external one is configured.
public struct EmbeddedServiceSpec: Sendable {
    public var name: String
    public var executable: URL
    public var arguments: [String]
    public var environment: [String: String]
    /// The loopback port the service listens on; it is ready once a connection succeeds.
    public var port: Int
    public var startTimeout: Duration

    public init(
        name: String, executable: URL, arguments: [String], environment: [String: String] = [:], port: Int,
        startTimeout: Duration = .seconds(30)
    ) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.port = port
        self.startTimeout = startTimeout
    }
}

/// Starts embedded services as child processes, waits until each accepts connections, and
/// stops them all (last started first) on shutdown.
public actor ServiceSupervisor {
    /// Why a service could not be started.
    public enum SupervisorError: Error, CustomStringConvertible {
        case exitedEarly(name: String, termination: ChildProcess.Termination)
        case notReady(name: String, port: Int)

        public var description: String {
            switch self {
            case .exitedEarly(let name, let termination): "\(name) ended while starting (\(termination))"
            case .notReady(let name, let port): "\(name) did not accept connections on port \(port) in time"
            }
        }
    }

    private let log: EmulatorLog
    private var running: [(name: String, process: ChildProcess)] = []

    public init(log: EmulatorLog) { self.log = log }

    /// The processes running now, by service name.
    public var runningServices: [String: Int32] {
        Dictionary(running.map { ($0.name, $0.process.pid) }, uniquingKeysWith: { first, _ in first })
    }

    /// Starts `spec` and returns once it accepts connections on its port.
    @discardableResult
    public func start(_ spec: EmbeddedServiceSpec) async throws -> Int32 {
        let process = try ChildProcess.spawn(
            executable: spec.executable.path, arguments: spec.arguments,
            environment: ProcessInfo.processInfo.environment.merging(spec.environment) { _, own in own },
            output: { [log] line in log.line(line, function: spec.name) })
        running.append((spec.name, process))
        let deadline = ContinuousClock.now + spec.startTimeout
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                running.removeAll { $0.process === process }
                throw SupervisorError.exitedEarly(name: spec.name, termination: process.terminated!)
            }
            if PortProbe.isAccepting(port: spec.port) { return process.pid }
            try await Task.sleep(for: .milliseconds(50))
        }
        await stop(process, name: spec.name)
        running.removeAll { $0.process === process }
        throw SupervisorError.notReady(name: spec.name, port: spec.port)
    }

    /// Stops every service, the last started first: SIGTERM, then SIGKILL after ten seconds.
    public func stopAll() async {
        while let service = running.popLast() {
            await stop(service.process, name: service.name)
        }
    }

    private func stop(_ process: ChildProcess, name: String) async {
        guard process.isRunning else { return }
        await process.stop(grace: .seconds(10))
        if case .signalled(SIGKILL) = process.terminated { log.line("did not stop in 10 s; killed", function: name) }
    }
}

/// Loopback port helpers.
public enum PortProbe {
    /// A port that nothing listens on now (the kernel's choice of a free ephemeral port).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isAccepting(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
