import FoundationEssentials
import LambdaRuntime

/// A job a function hands to itself or another function by async invoke.
public protocol QueuedJob: Sendable {
    /// The job as the invoked function's event.
    var asyncJob: AsyncJob { get }
}

/// Where jobs go: a function, invoked asynchronously (Lambda's Event invocation answers at
/// once and retries a failed run).
public struct JobQueue: Sendable {
    public let lambda: LambdaClient
    public let functionName: String

    public init(lambda: LambdaClient, functionName: String) {
        self.lambda = lambda
        self.functionName = functionName
    }

    public func start(_ job: some QueuedJob) async throws {
        _ = try await lambda.invoke(
            functionName: functionName, payload: try JSONStreamEncoder().encode(job.asyncJob),
            invocationType: .event)
    }
}
