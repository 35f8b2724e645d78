import FoundationEssentials
import KloudCore

/// How KloudHub reaches a customer's AWS account: it checks a connection before saving it,
/// and opens one for a scan (an assumed role, or the sealed access keys opened in memory).
struct CloudConnections: Sendable {
    /// A cloud account as the scan needs it; the sealed keys never leave this type.
    struct CloudAccount: Sendable {
        var id: UUID
        var awsAccountID: String
        var region: String
        var status: String
        var authKind: String
        var roleARN: String?
        var externalID: String?
        var sealedKeys: SealedSecret?
    }

    let database: PostgresClient
    let configuration: AWSConfiguration
    let httpClient: HTTPClient
    let sealer: SecretSealer

    func cloudAccount(_ id: UUID, account: UUID) throws -> CloudAccount? {
        try database.transaction(scopedTo: account) { transaction in
            guard
                let row = try transaction.query(
                    """
                    select id, aws_account_id, region, status, auth_kind, role_arn, external_id,
                           credential_ciphertext, encrypted_data_key, kms_key_id
                    from cloud_accounts where id = \(id)
                    """
                ).first
            else { return nil }
            let (id, awsAccountID, region, status, kind, roleARN, externalID, ciphertext, dataKey, keyID) =
                try row.decode(
                    (UUID, String, String, String, String, String?, String?, [UInt8]?, [UInt8]?, String?).self)
            var sealed: SealedSecret?
            if let ciphertext, let dataKey, let keyID {
                sealed = SealedSecret(ciphertext: ciphertext, encryptedDataKey: dataKey, keyID: keyID)
            }
            return CloudAccount(
                id: id, awsAccountID: awsAccountID, region: region, status: status, authKind: kind, roleARN: roleARN,
                externalID: externalID, sealedKeys: sealed)
        }
    }

    /// A reader signed with the connection's credentials.
    func reader(for cloudAccount: CloudAccount, account: UUID, now: Date) async throws -> AccountReader {
        AccountReader(
            configuration: configuration, credentials: try await credentials(for: cloudAccount, account: account),
            httpClient: httpClient, awsAccountID: cloudAccount.awsAccountID, homeRegion: cloudAccount.region, now: now)
    }

    private func credentials(for cloudAccount: CloudAccount, account: UUID) async throws -> any AWSCredentialsProvider {
        if let roleARN = cloudAccount.roleARN, cloudAccount.authKind == "role" {
            return AssumedRoleCredentialsProvider(
                sts: STSClient(configuration: regional(cloudAccount.region), httpClient: httpClient), roleARN: roleARN,
                externalID: cloudAccount.externalID, sessionName: "kloudhub-scan")
        }
        guard let sealed = cloudAccount.sealedKeys else { throw ConnectionError(code: "credentials_missing") }
        let owner = SecretOwner(
            accountID: account.uuidString.lowercased(), cloudAccountID: cloudAccount.id.uuidString.lowercased())
        let opened = try await sealer.open(sealed, for: owner)
        return StaticCredentialsProvider(try AccessKeys.credentials(from: opened))
    }

    /// Who the role is, assumed with the external id: its account must be the ARN's.
    func verifyRole(_ roleARN: String, externalID: String, region: String) async throws(AWSError) -> STSCallerIdentity {
        let provider = AssumedRoleCredentialsProvider(
            sts: STSClient(configuration: regional(region), httpClient: httpClient), roleARN: roleARN,
            externalID: externalID, sessionName: "kloudhub-connect")
        return try await STSClient(configuration: regional(region), httpClient: httpClient, credentials: provider)
            .getCallerIdentity()
    }

    /// Who the access keys belong to.
    func verifyKeys(_ credentials: AWSCredentials, region: String) async throws(AWSError) -> STSCallerIdentity {
        try await STSClient(
            configuration: regional(region), httpClient: httpClient, credentials: StaticCredentialsProvider(credentials)
        ).getCallerIdentity()
    }

    /// KloudHub's own AWS account, the principal a customer's trust policy names.
    func ownAccountID() async throws(AWSError) -> String {
        try await STSClient(configuration: configuration, httpClient: httpClient).getCallerIdentity().account
    }

    private func regional(_ region: String) -> AWSConfiguration {
        var regional = configuration
        regional.region = region
        return regional
    }
}

/// Access keys as they are sealed: `ACCESS_KEY_ID` newline `SECRET_ACCESS_KEY`.
enum AccessKeys {
    static func sealable(_ credentials: AWSCredentials) -> SecretBytes {
        SecretBytes(copying: credentials.accessKeyID + "\n" + credentials.secretAccessKey)
    }

    static func credentials(from opened: SecretBytes) throws -> AWSCredentials {
        let parts = opened.withUnsafeBytes { Array($0) }.split(separator: UInt8(ascii: "\n"), maxSplits: 1)
        guard parts.count == 2 else { throw ConnectionError(code: "credentials_damaged") }
        return AWSCredentials(
            accessKeyID: String(decoding: parts[0], as: UTF8.self),
            secretAccessKey: String(decoding: parts[1], as: UTF8.self))
    }
}

/// Stored credentials that cannot be used.
struct ConnectionError: Error, Sendable {
    var code: String
}
