/// The database roles KloudHub connects as; each function's manifest names one.
///
/// The migrations create the group roles (NOLOGIN); each environment makes
/// one login user per role that is a member of it.
public enum DatabaseRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// Runs the migrations and owns the tables; the app never connects as it.
    case owner
    /// authorize, token, mcp: the caller's account only, no credential columns.
    case api
    /// scan, deploy: the caller's account only, including its credential ciphertext.
    case worker
    /// retention-sweep, account-delete: the only role that works across accounts.
    case maintenance

    /// The environment variable that points the emulator at an external
    /// server for this role instead of its embedded one, such as
    /// `KLOUDHUB_DATABASE_URL_API`; the emulator stores the chosen URL in the
    /// role's secret and hands each function that secret's ARN as
    /// `KLOUDHUB_DATABASE_SECRET_ARN`.
    public var databaseURLVariable: String {
        "KLOUDHUB_DATABASE_URL_" + rawValue.uppercased()
    }

    /// The NOLOGIN group role the migrations create; `nil` for the owner,
    /// which is whoever runs the migrations.
    public var groupRoleName: String? {
        switch self {
        case .owner: nil
        case .api: "kloudhub_api"
        case .worker: "kloudhub_worker"
        case .maintenance: "kloudhub_maintenance"
        }
    }
}
