import Hummingbird
import ServiceLifecycle

/// A Hummingbird server running in a task of its own, on a port it reports once bound.
///
/// It is stopped by a graceful shutdown of its service group, never by cancelling the task:
/// cancelling races with connections being accepted and can trap inside NIO.
struct ServerTask: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts serving `responder` on `host:port` (0 for any free port); returns once bound.
    static func start<Responder: HTTPResponder>(
        _ responder: Responder, host: String, port: Int, name: String
    ) async throws -> ServerTask where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = quietLogger(label: name)
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            await group.triggerGracefulShutdown()
            throw EmulatorError.serverDidNotStart(name)
        }
        return ServerTask(port: bound, group: group, task: task)
    }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Stops accepting connections and ends once the requests in flight are answered.
    func stop() {
        Task { await group.triggerGracefulShutdown() }
    }

    /// Stops, and waits until the server has closed.
    func stopAndWait() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
