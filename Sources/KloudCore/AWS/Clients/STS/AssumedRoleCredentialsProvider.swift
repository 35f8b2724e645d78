import FoundationEssentials

/// Credentials of a role assumed through STS (with an external id), renewed a few minutes
/// before they expire: how KloudHub reaches a customer's account.
public actor AssumedRoleCredentialsProvider: AWSCredentialsProvider {
    private let sts: STSClient
    private let roleARN: String
    private let externalID: String?
    private let sessionName: String
    private let duration: Duration
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var current: STSAssumedRole?

    /// Creates a provider that assumes `roleARN` with `sts` (which signs with KloudHub's own
    /// credentials) on first use and whenever the last credentials are about to expire.
    public init(
        sts: STSClient,
        roleARN: String,
        externalID: String?,
        sessionName: String,
        duration: Duration = .seconds(3600),
        refreshMargin: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.sts = sts
        self.roleARN = roleARN
        self.externalID = externalID
        self.sessionName = sessionName
        self.duration = duration
        self.refreshMargin = TimeInterval(refreshMargin.components.seconds)
        self.now = now
    }

    /// The role's current credentials, assuming the role again when they are close to expiry.
    public func credentials() async throws(AWSError) -> AWSCredentials {
        if let current, current.expiration.timeIntervalSince(now()) > refreshMargin {
            return current.credentials
        }
        let assumed = try await sts.assumeRole(
            roleARN: roleARN, sessionName: sessionName, externalID: externalID, duration: duration)
        current = assumed
        return assumed.credentials
    }
}
