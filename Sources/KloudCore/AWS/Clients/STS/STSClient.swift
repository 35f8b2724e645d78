import FoundationEssentials

/// AWS Security Token Service: who the caller is, and temporary credentials for a role in a
/// customer's account.
public struct STSClient: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .sts, configuration: configuration, httpClient: httpClient, credentialsProvider: credentials)
    }

    /// Assumes a role, as KloudHub reaches a connected account: with the external id the
    /// customer's trust policy requires.
    public func assumeRole(
        roleARN: String,
        sessionName: String,
        externalID: String?,
        duration: Duration = .seconds(3600)
    ) async throws(AWSError) -> STSAssumedRole {
        guard !roleARN.isEmpty, (2...64).contains(sessionName.count) else {
            throw .invalidRequest("STS", "a role ARN and a session name of 2 to 64 characters are required")
        }
        var request = QueryRequest(action: "AssumeRole")
        request.set("RoleArn", roleARN)
        request.set("RoleSessionName", sessionName)
        request.set("ExternalId", externalID)
        request.set("DurationSeconds", String(duration.components.seconds))
        let result = try await client.query(request)
        guard let credentials = result.child("Credentials") else {
            throw .malformedResponse("STS", "the response has no Credentials")
        }
        let expiration = try client.requiredText("Expiration", in: credentials)
        guard let expirationDate = AWSTimestamp.iso8601(expiration) else {
            throw .malformedResponse("STS", "the Expiration is not an ISO 8601 time")
        }
        let user = result.child("AssumedRoleUser")
        return STSAssumedRole(
            credentials: AWSCredentials(
                accessKeyID: try client.requiredText("AccessKeyId", in: credentials),
                secretAccessKey: try client.requiredText("SecretAccessKey", in: credentials),
                sessionToken: try client.requiredText("SessionToken", in: credentials)),
            expiration: expirationDate,
            assumedRoleARN: user?.text(of: "Arn") ?? "",
            assumedRoleID: user?.text(of: "AssumedRoleId") ?? "")
    }

    /// The account, ARN and user id of the credentials the client signs with.
    public func getCallerIdentity() async throws(AWSError) -> STSCallerIdentity {
        let result = try await client.query(QueryRequest(action: "GetCallerIdentity"))
        return STSCallerIdentity(
            account: try client.requiredText("Account", in: result),
            arn: try client.requiredText("Arn", in: result),
            userID: try client.requiredText("UserId", in: result))
    }
}

/// Temporary credentials for an assumed role, and when they expire.
public struct STSAssumedRole: Sendable {
    /// The key pair and session token; redacted when printed.
    public var credentials: AWSCredentials
    /// When the credentials stop working.
    public var expiration: Date
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    public var assumedRoleARN: String
    /// `ROLEID:SESSION`.
    public var assumedRoleID: String
}

/// Who a set of credentials belongs to.
public struct STSCallerIdentity: Sendable, Hashable {
    /// The 12-digit account id.
    public var account: String
    /// The ARN of the user or assumed role.
    public var arn: String
    /// The unique id of the user or role session.
    public var userID: String
}
