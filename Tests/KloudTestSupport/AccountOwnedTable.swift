import KloudCore

/// A KloudHub table that belongs to an account, with the column row-level
/// security compares.
public enum AccountOwnedTable: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The accounts themselves, keyed by `id`.
    case accounts
    /// OAuth authorization codes.
    case oauthCodes = "oauth_codes"
    /// API keys and OAuth tokens.
    case apiKeys = "api_keys"
    /// Connected AWS accounts.
    case cloudAccounts = "cloud_accounts"
    /// Klouds (Terraform blueprints).
    case klouds
    /// The files of Klouds.
    case kloudFiles = "kloud_files"
    /// Deployments of Klouds.
    case deployments
    /// Scans of cloud accounts.
    case scans
    /// Resources found by scans.
    case resources
    /// Waste findings on resources.
    case wasteFindings = "waste_findings"
    /// KloudPilot analyses.
    case analyses
    /// Shell metadata.
    case shells
    /// The notification outbox.
    case notifications
    /// The request log (written by functions, read by maintenance only).
    case requestLog = "request_log"
    /// Records of erasures (maintenance only).
    case deletionRecords = "deletion_records"

    /// The column holding the account: `id` for accounts, else `account_id`.
    public var accountColumn: String { self == .accounts ? "id" : "account_id" }

    /// The table name.
    public var description: String { rawValue }

    /// The table's name with its schema, as every statement names it.
    public var qualifiedName: String { "kloudhub." + rawValue }

    /// The role whose code writes this table's rows, and so inserts the fixture's.
    public var writer: DatabaseRole {
        switch self {
        case .oauthCodes, .apiKeys, .requestLog: .api
        // Accounts are made by upsert_clerk_account for every role; a fixture's, with its own id,
        // by the maintenance role.
        case .accounts, .deletionRecords: .maintenance
        default: .worker
        }
    }
}
