import FoundationEssentials
import KloudCore
import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `account.erase` jobs: the erasure's steps until done or out of time; out of time, the
/// job queues its own continuation (the sweep would also pick it up).
struct ErasureJobs: Sendable {
    /// What one run of the job did.
    struct Result: Encodable, Sendable {
        /// `completed`, `unfinished` or `nothing_to_erase`.
        var outcome: String
        var record: DeletionRecord?
    }

    /// Time kept back from the deadline to record progress and queue the continuation.
    static let reserve: Duration = .seconds(15)
    /// Continuations of one job at most; past that the sweep carries on.
    static let maximumAttempts = 50

    let erasure: AccountErasure
    let handOff: ErasureHandOff
    /// Whether a job's `crashAfterStep` is honoured: the process exits right after recording that
    /// step, as a crash would. Set by `KLOUDHUB_ERASURE_FAULT_INJECTION=allow` in tests only.
    let allowsFaultInjection: Bool

    func run(_ job: AsyncJob, context: LambdaContext) async throws -> Result {
        guard job.job == ErasureHandOff.jobName else { throw AccountDeleteError.malformedJob("unknown job \(job.job)") }
        guard let accountID = job.payload["accountId"]?.stringValue.flatMap(UUID.init(uuidString:)) else {
            throw AccountDeleteError.malformedJob("accountId must be an account id")
        }
        let reason = job.payload["reason"]?.stringValue.flatMap(DeletionReason.init(rawValue:)) ?? .operator
        let crashStep =
            allowsFaultInjection ? job.payload["crashAfterStep"]?.stringValue.flatMap(ErasureStep.init(rawValue:)) : nil
        let logger = context.logger
        let outcome = try await erasure.resume(
            accountID: accountID, reason: reason,
            deadline: WorkDeadline(remaining: context.remainingTime, reserve: Self.reserve)
        ) { step in
            logger.info("erasure step recorded", metadata: ["step": "\(step.rawValue)"])
            if step == crashStep {
                logger.warning("fault injected", metadata: ["step": "\(step.rawValue)"])
                exit(86)
            }
        }
        switch outcome {
        case .completed(let record):
            logger.info("erasure completed", metadata: ["record": "\(record.id)"])
            return Result(outcome: "completed", record: record)
        case .nothingToErase:
            return Result(outcome: "nothing_to_erase", record: nil)
        case .unfinished(let record):
            if job.attempt < Self.maximumAttempts {
                try await handOff.requestErasure(of: accountID, reason: reason, attempt: job.attempt + 1)
            }
            logger.info("erasure continues", metadata: ["record": "\(record.id)", "attempt": "\(job.attempt)"])
            return Result(outcome: "unfinished", record: record)
        }
    }
}
