import FoundationEssentials

/// How KloudHub reaches a customer's AWS account: it checks a connection before saving it,
/// and opens one for a scan or a deployment (an assumed role, or the sealed access keys opened
/// in memory). Used by the worker role's functions, which may read their account's ciphertext.
public struct CloudConnections: Sendable {
    /// A cloud account as scans and deployments need it; the sealed keys never leave this type.
    public struct CloudAccount: Sendable {
        public var id: UUID
        public var awsAccountID: String
        public var region: String
        public var status: String
        public var authKind: String
        public var roleARN: String?
        public var externalID: String?
        var sealedKeys: SealedSecret?
    }

    public let database: PostgresClient
    /// KloudHub's own AWS settings; a customer's endpoints are these too (the local AWS here).
    public var configuration: AWSConfiguration
    public let httpClient: HTTPClient
    /// Seals and opens access keys with the credentials key.
    public let sealer: SecretSealer

    public init(
        database: PostgresClient, configuration: AWSConfiguration, httpClient: HTTPClient, sealer: SecretSealer
    ) {
        self.database = database
        self.configuration = configuration
        self.httpClient = httpClient
        self.sealer = sealer
    }

    /// The cloud account `id` of `account`, nil when the account has none by that id.
    public func cloudAccount(_ id: UUID, account: UUID) throws -> CloudAccount? {
        try database.transaction(scopedTo: account) { transaction in
            guard
                let row = try transaction.query(
                    """
                    select id, aws_account_id, region, status, auth_kind, role_arn, external_id,
                           credential_ciphertext, encrypted_data_key, kms_key_id
                    from kloudhub.cloud_accounts where id = \(id)
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

    /// The connection's credentials: the role assumed with its external id under
    /// `sessionName`, or the sealed access keys opened.
    public func credentials(
        for cloudAccount: CloudAccount, account: UUID, sessionName: String
    ) async throws -> any AWSCredentialsProvider {
        if let roleARN = cloudAccount.roleARN, cloudAccount.authKind == "role" {
            return AssumedRoleCredentialsProvider(
                sts: STSClient(configuration: regional(cloudAccount.region), httpClient: httpClient), roleARN: roleARN,
                externalID: cloudAccount.externalID, sessionName: sessionName)
        }
        guard let sealed = cloudAccount.sealedKeys else { throw ConnectionError(code: "credentials_missing") }
        let owner = SecretOwner(
            accountID: account.uuidString.lowercased(), cloudAccountID: cloudAccount.id.uuidString.lowercased())
        let opened = try await sealer.open(sealed, for: owner)
        return StaticCredentialsProvider(try AccessKeys.credentials(from: opened))
    }

    /// Who the role is, assumed with the external id: its account must be the ARN's.
    public func verifyRole(
        _ roleARN: String, externalID: String, region: String
    ) async throws(AWSError) -> STSCallerIdentity {
        let provider = AssumedRoleCredentialsProvider(
            sts: STSClient(configuration: regional(region), httpClient: httpClient), roleARN: roleARN,
            externalID: externalID, sessionName: "kloudhub-connect")
        return try await STSClient(configuration: regional(region), httpClient: httpClient, credentials: provider)
            .getCallerIdentity()
    }

    /// Who the access keys belong to.
    public func verifyKeys(_ credentials: AWSCredentials, region: String) async throws(AWSError) -> STSCallerIdentity {
        try await STSClient(
            configuration: regional(region), httpClient: httpClient, credentials: StaticCredentialsProvider(credentials)
        ).getCallerIdentity()
    }

    /// KloudHub's own AWS account, the principal a customer's trust policy names.
    public func ownAccountID() async throws(AWSError) -> String {
        try await STSClient(configuration: configuration, httpClient: httpClient).getCallerIdentity().account
    }

    private func regional(_ region: String) -> AWSConfiguration {
        var regional = configuration
        regional.region = region
        return regional
    }
}

/// Access keys as they are sealed: `ACCESS_KEY_ID` newline `SECRET_ACCESS_KEY`.
public enum AccessKeys {
    public static func sealable(_ credentials: AWSCredentials) -> SecretBytes {
        SecretBytes(copying: credentials.accessKeyID + "\n" + credentials.secretAccessKey)
    }

    public static func credentials(from opened: SecretBytes) throws -> AWSCredentials {
        let parts = opened.withUnsafeBytes { Array($0) }.split(separator: UInt8(ascii: "\n"), maxSplits: 1)
        guard parts.count == 2 else { throw ConnectionError(code: "credentials_damaged") }
        return AWSCredentials(
            accessKeyID: String(decoding: parts[0], as: UTF8.self),
            secretAccessKey: String(decoding: parts[1], as: UTF8.self))
    }
}

/// Stored credentials that cannot be used.
public struct ConnectionError: Error, Sendable {
    public var code: String

    public init(code: String) {
        self.code = code
    }
}
