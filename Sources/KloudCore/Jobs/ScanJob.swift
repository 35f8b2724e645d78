import FoundationEssentials
import LambdaRuntime

/// The job that runs a scan: an async invocation of the scan function naming the scan and its
/// account. The REST API, MCP's `start_scan` and a scan continuing after its deadline all hand
/// scans over this way.
public struct ScanJob: QueuedJob, Equatable {
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

    public var asyncJob: AsyncJob {
        AsyncJob(
            job: Self.name, id: scanID.uuidString.lowercased(), attempt: attempt,
            payload: .object(["account_id": .string(accountID.uuidString.lowercased())]))
    }
}
