import FoundationEssentials
import LambdaRuntime

/// Hands an account's erasure to account-delete by an asynchronous (Event) invoke: from the Clerk
/// webhook in authorize, and from account-delete to itself when an erasure needs another run.
/// If the hand-off is lost, the retention sweep starts the erasure within the hour.
public struct ErasureHandOff: Sendable {
    /// The job name account-delete runs erasures under.
    public static let jobName = "account.erase"
    /// The manifest name of the function that erases accounts.
    public static let functionName = "account-delete"

    /// The Lambda Invoke API client.
    public let lambda: LambdaClient
    /// The deployed name of account-delete.
    public let deployedName: String

    /// A hand-off over an explicit client and function name.
    public init(lambda: LambdaClient, deployedName: String) {
        self.lambda = lambda
        self.deployedName = deployedName
    }

    /// Queues the erasure of `accountID`.
    public func requestErasure(of accountID: UUID, reason: DeletionReason, attempt: Int = 1) async throws(AWSError) {
        let job = Self.job(for: accountID, reason: reason, attempt: attempt)
        let payload: [UInt8]
        do {
            payload = Array(try JSONEncoder().encode(job))
        } catch {
            throw .invalidRequest("Lambda", "the erasure job cannot be encoded", underlying: error)
        }
        _ = try await lambda.invoke(functionName: deployedName, payload: payload, invocationType: .event)
    }

    /// The job that erases `accountID`; its id is the account's, so redeliveries are one job.
    public static func job(for accountID: UUID, reason: DeletionReason, attempt: Int = 1) -> AsyncJob {
        AsyncJob(
            job: jobName, id: accountID.uuidString.lowercased(), attempt: attempt,
            payload: .object([
                "accountId": .string(accountID.uuidString.lowercased()), "reason": .string(reason.rawValue),
            ]))
    }
}
