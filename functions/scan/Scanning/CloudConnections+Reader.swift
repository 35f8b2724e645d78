import FoundationEssentials
import KloudCore

extension CloudConnections {
    /// A reader signed with the connection's credentials.
    func reader(for cloudAccount: CloudAccount, account: UUID, now: Date) async throws -> AccountReader {
        AccountReader(
            configuration: configuration,
            credentials: try await credentials(for: cloudAccount, account: account, sessionName: "kloudhub-scan"),
            httpClient: httpClient, awsAccountID: cloudAccount.awsAccountID, homeRegion: cloudAccount.region, now: now)
    }
}
