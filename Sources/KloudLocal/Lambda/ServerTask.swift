import Hummingbird

/// A Hummingbird server running in a task of its own, on a port it reports once bound.
struct ServerTask: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    /// Starts serving `responder` on `host:port` (0 for any free port); returns once bound.
    static func start<Responder: HTTPResponder>(
        _ responder: Responder, host: String, port: Int, name: String
    ) async throws -> ServerTask where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: quietLogger(label: name))
        let task = Task {
            defer { continuation.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            throw EmulatorError.serverDidNotStart(name)
        }
        return ServerTask(port: bound, task: task)
    }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Stops serving.
    func stop() { task.cancel() }
}
