import FoundationEssentials
import KloudCore
import LambdaRuntime

/// Connecting, checking, listing and disconnecting a person's AWS accounts (PP-cloud,
/// PP-rights).
struct CloudAccountsEndpoint: Sendable {
    let database: PostgresClient
    let connections: CloudConnections
    let invoker: JobQueue
    let caller: Caller

    struct View: Encodable {
        var id: UUID
        var name: String
        var awsAccountID: String
        var region: String
        var authKind: String
        var roleARN: String?
        var status: String
        var lastVerifiedAt: Date?
        var lastErrorCode: String?
        var latestScanID: UUID?
        var createdAt: Date
        /// Shown while a role connection waits for its trust policy.
        var externalID: String?
        var trustPolicy: RawJSON?
    }

    private struct ConnectBody: Decodable {
        var name: String
        var region: String
        var roleARN: String?
        var accessKeyID: String?
        var secretAccessKey: String?

        enum CodingKeys: String, CodingKey {
            case name, region, roleARN = "role_arn", accessKeyID = "access_key_id"
            case secretAccessKey = "secret_access_key"
        }
    }

    func list() throws -> APIGatewayV2Response {
        let views = try database.transaction(scopedTo: caller.accountID) { transaction in
            try transaction.query("\(unsafeRaw: Self.columns) from kloudhub.cloud_accounts order by created_at desc")
                .map(Self.view)
        }
        return APIResponse.snakeCaseJSON(.ok, ["cloud_accounts": views])
    }

    func connect(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        try caller.require(.write)
        let body = try request.jsonBody(ConnectBody.self, limit: 8192)
        let name = body.name.trimmingASCIIWhitespace()
        guard (1...200).contains(name.count) else { throw invalid("name must be 1 to 200 characters") }
        guard AWSRegions.known.contains(body.region) else {
            throw invalid("region \(body.region.prefix(40)) is not an AWS region KloudHub knows")
        }
        switch (body.roleARN, body.accessKeyID, body.secretAccessKey) {
        case (let roleARN?, nil, nil):
            guard let awsAccountID = AWSRegions.accountID(ofRoleARN: roleARN) else {
                throw invalid("role_arn must look like arn:aws:iam::123456789012:role/NAME")
            }
            let externalID = "kloudhub-" + SecretToken.randomText(bytes: 24)
            let id = try database.transaction(scopedTo: caller.accountID) { transaction in
                try transaction.query(
                    """
                    insert into kloudhub.cloud_accounts (account_id, aws_account_id, name, region, auth_kind, role_arn,
                                                external_id, status)
                    values (\(caller.accountID), \(awsAccountID), \(name), \(body.region), 'role', \(roleARN),
                            \(externalID), 'pending')
                    returning id
                    """
                ).first!.decode(UUID.self)
            }
            return APIResponse.snakeCaseJSON(.created, try await view(id, showingSetup: true))
        case (nil, let keyID?, let secret?):
            let credentials = AWSCredentials(accessKeyID: keyID, secretAccessKey: secret)
            let identity: STSCallerIdentity
            do {
                identity = try await connections.verifyKeys(credentials, region: body.region)
            } catch {
                throw APIError(
                    .badRequest, "invalid_credentials", "AWS refused these access keys (\(error.code.rawValue))")
            }
            let id = UUID()
            let owner = SecretOwner(
                accountID: caller.accountID.uuidString.lowercased(), cloudAccountID: id.uuidString.lowercased())
            let sealed = try await connections.sealer.seal(AccessKeys.sealable(credentials), for: owner)
            try database.transaction(scopedTo: caller.accountID) { transaction in
                _ = try transaction.execute(
                    """
                    insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind,
                                                credential_ciphertext, encrypted_data_key, kms_key_id, status,
                                                last_verified_at)
                    values (\(id), \(caller.accountID), \(identity.account), \(name), \(body.region), 'access_keys',
                            \(sealed.ciphertext), \(sealed.encryptedDataKey), \(sealed.keyID), 'connected', now())
                    """)
            }
            return APIResponse.snakeCaseJSON(.created, try await view(id, showingSetup: false))
        default:
            throw invalid("give either role_arn, or access_key_id with secret_access_key")
        }
    }

    /// Assumes the role with its external id; connected when AWS agrees and the role is in the
    /// account its ARN names.
    func verify(_ id: UUID) async throws -> APIGatewayV2Response {
        try caller.require(.write)
        guard let cloudAccount = try connections.cloudAccount(id, account: caller.accountID),
            cloudAccount.status != "disconnected"
        else { throw APIError(.notFound, "not_found", "no such cloud account") }
        guard let roleARN = cloudAccount.roleARN, let externalID = cloudAccount.externalID else {
            throw invalid("only a role connection is verified; access keys were checked when they were saved")
        }
        let code: String?
        do {
            let identity = try await connections.verifyRole(
                roleARN, externalID: externalID, region: cloudAccount.region)
            code = identity.account == cloudAccount.awsAccountID ? nil : "role_in_another_account"
        } catch {
            code = "role_not_assumable"
        }
        try database.transaction(scopedTo: caller.accountID) { transaction in
            _ = try transaction.execute(
                """
                update kloudhub.cloud_accounts
                set status = case when \(code)::text is null then 'connected' else status end,
                    last_verified_at = case when \(code)::text is null then now() else last_verified_at end,
                    last_error_code = \(code), updated_at = now()
                where id = \(id) and status <> 'disconnected'
                """)
        }
        if let code {
            throw APIError(
                .badRequest, code,
                "KloudHub could not assume \(roleARN) with its external id: check the role's trust policy")
        }
        return APIResponse.snakeCaseJSON(.ok, try await view(id, showingSetup: false))
    }

    /// Credentials erased at once, running scans stopped, no further access (PP-rights).
    func disconnect(_ id: UUID) throws -> APIGatewayV2Response {
        try caller.require(.write)
        let updated = try database.transaction(scopedTo: caller.accountID) { transaction in
            let updated = try transaction.execute(
                """
                update kloudhub.cloud_accounts
                set status = 'disconnected', credential_ciphertext = null, encrypted_data_key = null,
                    disconnected_at = now(), updated_at = now()
                where id = \(id) and status <> 'disconnected'
                """)
            try transaction.execute(
                """
                update kloudhub.scans set status = 'cancelled', finished_at = now(), error_code = 'cloud_account_disconnected',
                                 started_at = coalesce(started_at, now())
                where cloud_account_id = \(id) and status in ('queued', 'running')
                """)
            return updated
        }
        guard updated == 1 else { throw APIError(.notFound, "not_found", "no such connected cloud account") }
        return APIGatewayV2Response(statusCode: 204, headers: APIResponse.baseHeaders)
    }

    private struct ScanBody: Decodable {
        var regions: [String]?
    }

    /// 202 with the scan's id; the scan runs in a fresh invocation.
    func startScan(_ id: UUID, _ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        try caller.require(.write)
        let body = request.body?.isEmpty ?? true ? ScanBody() : try request.jsonBody(ScanBody.self, limit: 8192)
        let regions = body.regions ?? ["all"]
        guard regions == ["all"] || (1...64).contains(regions.count) && regions.allSatisfy(AWSRegions.known.contains)
        else {
            throw invalid("regions must be 1 to 64 AWS regions, or omitted for every enabled region")
        }
        let idempotencyKey = request.header("idempotency-key").map { String($0.prefix(200)) }
        let scan: (id: UUID, status: String) = try database.transaction(scopedTo: caller.accountID) { transaction in
            guard
                try transaction.query("select 1 from kloudhub.cloud_accounts where id = \(id) and status = 'connected'")
                    .first
                    != nil
            else { throw APIError(.notFound, "not_found", "no such connected cloud account") }
            if let idempotencyKey,
                let existing = try transaction.query(
                    "select id, status from kloudhub.scans where idempotency_key = \(idempotencyKey)"
                ).first
            {
                return try existing.decode((UUID, String).self)
            }
            let scanID = try transaction.query(
                """
                insert into kloudhub.scans (account_id, cloud_account_id, regions, idempotency_key)
                values (\(caller.accountID), \(id), \(Array(Set(regions)).sorted()), \(idempotencyKey))
                returning id
                """
            ).first!.decode(UUID.self)
            return (scanID, "queued")
        }
        if scan.status == "queued" { try await invoker.start(ScanJob(scanID: scan.id, accountID: caller.accountID)) }
        return APIResponse.snakeCaseJSON(.accepted, ["id": scan.id.uuidString.lowercased(), "status": scan.status])
    }

    // MARK: - Views

    private static let columns = """
        select id, name, aws_account_id, region, auth_kind, role_arn, status, last_verified_at, last_error_code,
               latest_scan_id, created_at, external_id
        """

    private static func view(_ row: PostgresRow) throws -> View {
        let (id, name, awsAccountID, region, kind, roleARN, status, verifiedAt, errorCode, latestScan, createdAt, _) =
            try row.decode(
                (UUID, String, String, String, String, String?, String, Date?, String?, UUID?, Date, String?).self)
        return View(
            id: id, name: name, awsAccountID: awsAccountID, region: region, authKind: kind, roleARN: roleARN,
            status: status, lastVerifiedAt: verifiedAt, lastErrorCode: errorCode, latestScanID: latestScan,
            createdAt: createdAt)
    }

    /// One cloud account; a pending role connection also shows its external id and the trust
    /// policy to paste.
    private func view(_ id: UUID, showingSetup: Bool) async throws -> View {
        let (view, externalID) = try database.transaction(scopedTo: caller.accountID) { transaction in
            let row = try transaction.query("\(unsafeRaw: Self.columns) from kloudhub.cloud_accounts where id = \(id)")
                .first!
            return (try Self.view(row), try row.decode((String?).self, at: 11))
        }
        guard showingSetup, let externalID else { return view }
        var shown = view
        shown.externalID = externalID
        let principal = try await connections.ownAccountID()
        shown.trustPolicy = RawJSON(
            bytes: Array(
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(principal):root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"\#(externalID)"}}}]}"#
                    .utf8))
        return shown
    }

    private func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
}
