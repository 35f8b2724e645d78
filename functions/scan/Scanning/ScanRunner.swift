import FoundationEssentials
import KloudCore
import Logging

/// Runs a scan job: every unit not yet done, a few at a time, each recorded as it completes;
/// it stops starting units before the invocation's deadline and hands the rest to a fresh
/// invocation, and stops when the scan is cancelled (the cloud account disconnected).
struct ScanRunner: Sendable {
    /// How a run ended.
    enum Outcome: String, Encodable, Sendable {
        case succeeded, continued, failed, cancelled, alreadyFinished = "already_finished"
    }

    var store: ScanStore
    var connections: CloudConnections
    /// Units read at once.
    var unitConcurrency = 4
    /// No unit starts when less than this remains before the deadline.
    var deadlineMargin: Duration = .seconds(20)
    var now: @Sendable () -> Date = { Date() }

    func run(
        scanID: UUID, account: UUID, deadline: ContinuousClock.Instant, logger: Logger,
        continueLater: @Sendable () async throws -> Void
    ) async throws -> Outcome {
        guard let job = try store.job(scanID, account: account) else { return .alreadyFinished }
        guard job.status == "queued" || job.status == "running" else { return .alreadyFinished }
        let reader: AccountReader
        var regions = job.regions
        do {
            guard let cloudAccount = try connections.cloudAccount(job.cloudAccountID, account: account),
                cloudAccount.status == "connected"
            else {
                try store.fail(scanID, account: account, code: "cloud_account_disconnected", status: "cancelled")
                return .cancelled
            }
            reader = try await connections.reader(for: cloudAccount, account: account, now: now())
            if regions.isEmpty || regions == ["all"] { regions = try await reader.enabledRegions() }
        } catch let error as AWSError {
            logger.warning("scan cannot reach the account", metadata: ["error": "\(error)"])
            try store.fail(scanID, account: account, code: "aws_\(error.code.rawValue)")
            return .failed
        } catch {
            logger.error("scan cannot open the credentials", metadata: ["error": "\(String(reflecting: error))"])
            try store.fail(scanID, account: account, code: "credentials_unavailable")
            return .failed
        }
        let units = ScanUnit.all(regions: regions).filter { !job.doneUnits.contains($0.description) }
        try store.start(scanID, account: account, regions: regions, units: ScanUnit.all(regions: regions).count)
        let finishedInTime = try await read(
            units, with: reader, scanID: scanID, job: job, account: account,
            deadline: deadline, logger: logger)
        guard try store.isRunning(scanID, account: account) else { return .cancelled }
        guard finishedInTime else {
            try await continueLater()
            return .continued
        }
        try store.finish(scanID, account: account)
        return .succeeded
    }

    /// Reads and records the units, `unitConcurrency` at a time; false when the deadline or a
    /// cancellation stopped it before the last one.
    private func read(
        _ units: [ScanUnit], with reader: AccountReader, scanID: UUID, job: ScanStore.Job, account: UUID,
        deadline: ContinuousClock.Instant, logger: Logger
    ) async throws -> Bool {
        var pending = units[...]
        var stopped = false
        try await withThrowingTaskGroup(of: (ScanUnit, UnitResult, ScanStore.Warning?).self) { group in
            func startNext() throws {
                guard !stopped, let unit = pending.first else { return }
                guard ContinuousClock.now.advanced(by: deadlineMargin) < deadline,
                    try store.isRunning(scanID, account: account)
                else {
                    stopped = true
                    return
                }
                pending = pending.dropFirst()
                group.addTask {
                    do {
                        return (unit, try await reader.read(unit), nil)
                    } catch let error as AWSError {
                        return (
                            unit, UnitResult(),
                            ScanStore.Warning(
                                unit: unit.description, code: error.code.rawValue,
                                message: "\(unit.service.rawValue) in \(unit.region) could not be read: \(error)")
                        )
                    }
                }
            }
            for _ in 0..<unitConcurrency { try startNext() }
            while let (unit, result, warning) = try await group.next() {
                if let warning {
                    logger.warning("scan unit failed", metadata: ["unit": "\(unit)", "code": "\(warning.code)"])
                }
                try store.record(
                    unit, result: result, warning: warning, scanID: scanID, cloudAccountID: job.cloudAccountID,
                    account: account)
                try startNext()
            }
        }
        return pending.isEmpty
    }
}
