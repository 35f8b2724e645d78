import FoundationEssentials

/// A unit of long work a function hands to itself or another function by async invoke
/// (a scan of one account, a deployment, an erasure).
///
/// `id` identifies the job across redeliveries, so a handler can make a repeated delivery a no-op;
/// `attempt` counts the continuations of one job that ran out of time and resumed.
public struct AsyncJob: Codable, Sendable, Equatable {
    /// What to do, as `area.action` (for example `scan.run`).
    public var job: String
    public var id: String
    public var attempt: Int
    public var payload: JSONValue

    public init(job: String, id: String, attempt: Int = 1, payload: JSONValue = .object([:])) {
        self.job = job
        self.id = id
        self.attempt = attempt
        self.payload = payload
    }
}
