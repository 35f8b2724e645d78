import FoundationEssentials
import LambdaRuntime

/// The job that runs a scan: an async invocation of the scan function naming the scan and its
/// account. The REST API, MCP's `start_scan` and a scan continuing after its deadline all hand
/// scans over this way.
public struct ScanJob: Sendable, Equatable {
    public static let name = "scan.run"

    public var scanID: UUID
    public var accountID: UUID
    /// 1 for a new scan; one more for each continuation.
    public var attempt: Int

    public init(scanID: UUID, accountID: UUID, attempt: Int = 1) {
        self.scanID = scanID
        self.accountID = accountID
        self.attempt = attempt
    }

    /// The job an async event carries, or nil when it is another job or malformed.
    public init?(_ job: AsyncJob) {
        guard job.job == Self.name, let scanID = UUID(uuidString: job.id),
            let account = job.payload["account_id"]?.stringValue.flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(scanID: scanID, accountID: account, attempt: job.attempt)
    }

    /// Queues the job: Lambda's Event invocation of `functionName` answers at once.
    public func start(with lambda: LambdaClient, functionName: String) async throws {
        let job = AsyncJob(
            job: Self.name, id: scanID.uuidString.lowercased(), attempt: attempt,
            payload: .object(["account_id": .string(accountID.uuidString.lowercased())]))
        _ = try await lambda.invoke(
            functionName: functionName, payload: try JSONStreamEncoder().encode(job), invocationType: .event)
    }
}

/// Where scan jobs go: the scan function, invoked asynchronously. The REST API, MCP's
/// `start_scan` and a scan continuing after its deadline all start jobs through it.
public struct ScanJobQueue: Sendable {
    public let lambda: LambdaClient
    public let functionName: String

    public init(lambda: LambdaClient, functionName: String) {
        self.lambda = lambda
        self.functionName = functionName
    }

    public func start(_ job: ScanJob) async throws {
        try await job.start(with: lambda, functionName: functionName)
    }
}
