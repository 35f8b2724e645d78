import FoundationEssentials

/// One rule of the retention sweep, as its report names it. The sweep runs them in this order,
/// each whatever another did: one that fails is reported, and the next one runs.
public enum SweepRule: String, CaseIterable, Codable, CodingKeyRepresentable, Sendable {
    /// PP-codes: authorization codes past their expiry.
    case oauthCodes = "oauth_codes"
    /// PP-revoke: keys and OAuth tokens revoked, or expired, more than 90 days ago.
    case apiKeys = "api_keys"
    /// PP-logs: request logs older than 90 days, and the partitions of the days ahead.
    case requestLogs = "request_logs"
    /// Registration budget windows that have ended (``RegistrationBudget``).
    case registrationBudgets = "registration_budgets"
    /// Dynamically registered OAuth clients unused for 30 days that nothing live references.
    case unusedOAuthClients = "unused_oauth_clients"
    /// PP-delete: erasures that never started, stalled, or near their 30-day limit.
    case accountErasures = "account_erasures"
    /// The hashes of deleted Clerk users (migration 0019), 30 days after the deletion.
    case erasedClerkUsers = "erased_clerk_users"
    /// PP-notify: notifications whose send was refused or lost.
    case notifications

    /// The stable code a failure of a rule is reported with: what failed, never a message or
    /// SQL text (those go to the log). `database_` and the ``PostgresError`` code, `aws_` and
    /// the ``AWSError`` code, else `internal_error`.
    static func failureCode(for error: any Error) -> String {
        switch error {
        case let error as PostgresError: "database_" + error.code
        case let error as AWSError: "aws_" + error.code.rawValue
        default: "internal_error"
        }
    }
}
