import FoundationEssentials

/// The steps of an account's erasure, in the order they run (PP-delete). Each is recorded in the
/// account's deletion record when done, so a retry resumes after the last recorded one; each is
/// idempotent, so a step interrupted before it was recorded simply runs again.
public enum ErasureStep: String, CaseIterable, Sendable, Codable, Comparable {
    /// Every API key and OAuth token revoked, codes deleted, the account marked deleting so that
    /// no key, code or Clerk session maps to it any more.
    case accessRevoked = "access_revoked"
    /// Cloud credentials destroyed (ciphertext, data key and external id nulled, each cloud
    /// account disconnected) and running scans and deployments cancelled.
    case cloudAccessEnded = "cloud_access_ended"
    /// Every S3 object under the account's prefix deleted, in every bucket.
    case objectsDeleted = "objects_deleted"
    /// Every row of the account deleted, and its request log rows no longer naming it.
    case rowsDeleted = "rows_deleted"
    /// The deletion record completed: the account id replaced by a salted hash.
    case recordCompleted = "record_completed"

    public static func < (lhs: ErasureStep, rhs: ErasureStep) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Why an account is erased, as its deletion record says.
public enum DeletionReason: String, Sendable, Codable {
    /// The person asked (`DELETE /v1/account`).
    case userRequest = "user_request"
    /// Clerk said the user was deleted.
    case clerkWebhook = "clerk_webhook"
    case `operator`
    /// The sweep found an account marked deleting whose erasure never started.
    case retentionSweep = "retention_sweep"
}

/// The proof of an erasure, and its progress while it runs: no personal data, only dates,
/// counts and (once completed) a salted hash of the account id.
public struct DeletionRecord: Sendable, Equatable, Encodable {
    /// The record's own id (not the account's).
    public var id: UUID
    /// A ``DeletionReason`` raw value.
    public var reason: String
    /// `pending`, `erasing` or `completed`.
    public var status: String
    /// When the deletion was asked for.
    public var requestedAt: Date
    /// The latest moment the erasure may complete: 30 days after the request.
    public var eraseBy: Date
    /// When the erasure completed, if it has.
    public var completedAt: Date?
    /// The steps done.
    public var steps: [ErasureStep]
    /// What was removed: counts by what they count.
    public var counts: [String: Int]

    /// Whether `step` is recorded as done.
    public func isDone(_ step: ErasureStep) -> Bool { steps.contains(step) }
}
