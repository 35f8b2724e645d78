import FoundationEssentials
import KloudCore
import LambdaRuntime

/// Starting, listing, showing and cancelling deployments, and reading their logs while and
/// after Terraform runs.
struct DeploymentsEndpoint: Sendable {
    let database: PostgresClient
    let queue: DeploymentQueue?
    let s3: S3Client
    let logsBucket: String
    let caller: Caller

    struct View: Encodable {
        var id: UUID
        var kloudID: UUID
        var cloudAccountID: UUID
        var action: String
        var status: String
        var errorCode: String?
        var errorMessage: String?
        var planSummary: RawJSON?
        var outputs: RawJSON?
        var logBytes: Int
        var createdAt: Date
        var startedAt: Date?
        var finishedAt: Date?
        var cancelRequestedAt: Date?
    }

    private struct StartBody: Decodable {
        var cloudAccountID: UUID
        var action: DeploymentAction
        var idempotencyKey: String?

        enum CodingKeys: String, CodingKey {
            case cloudAccountID = "cloud_account_id", action, idempotencyKey = "idempotency_key"
        }
    }

    func start(_ kloudID: UUID, _ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        try caller.require(.write)
        let body = try request.jsonBody(StartBody.self, limit: 4096)
        guard let queue else {
            throw APIError(
                .serviceUnavailable, "deployments_unavailable", "this installation cannot run Terraform deployments")
        }
        if let key = body.idempotencyKey, !(1...200).contains(key.count) {
            throw APIError(.badRequest, "invalid_request", "idempotency_key must be 1 to 200 characters")
        }
        do {
            let queued = try await queue.queue(
                kloudID: kloudID, cloudAccountID: body.cloudAccountID, action: body.action,
                idempotencyKey: body.idempotencyKey, account: caller.accountID)
            return APIResponse.snakeCaseJSON(.accepted, try view(queued.id))
        } catch let refusal as DeploymentQueue.Refusal {
            switch refusal {
            case .kloudNotFound: throw APIError(.notFound, "not_found", "no such Kloud")
            case .cloudAccountNotFound: throw APIError(.notFound, "not_found", "no such cloud account")
            case .cloudAccountNotConnected(let status):
                throw APIError(
                    .conflict, "cloud_account_not_connected", "the cloud account is \(status), not connected")
            case .alreadyActive(let active):
                throw APIError(
                    .conflict, "deployment_active",
                    "deployment \(active.uuidString.lowercased()) of this Kloud into this cloud account is queued or running"
                )
            case .notStarted:
                throw APIError(
                    .serviceUnavailable, "temporarily_unavailable", "the run could not be started; try again shortly",
                    headers: ["Retry-After": "5"])
            }
        }
    }

    func list(_ request: APIGatewayV2Request) throws -> APIGatewayV2Response {
        let kloud = try request.queryValue("kloud_id").map(PathID.parse)
        let rows = try database.transaction(scopedTo: caller.accountID) { transaction in
            try transaction.query(
                """
                select \(unsafeRaw: Self.columns) from kloudhub.deployments
                where (\(kloud)::uuid is null or kloud_id = \(kloud))
                order by created_at desc limit 200
                """
            ).map(Self.view)
        }
        return APIResponse.snakeCaseJSON(.ok, ["deployments": rows])
    }

    func show(_ id: UUID) throws -> APIGatewayV2Response {
        APIResponse.snakeCaseJSON(.ok, try view(id))
    }

    /// The log from `offset` (bytes), as text, with the offset to ask from next and whether the
    /// deployment has finished (no more will come).
    func log(_ id: UUID, _ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        var offset = 0
        if let text = request.queryValue("offset") {
            guard let value = Int(text), value >= 0 else {
                throw APIError(.badRequest, "invalid_request", "offset must be a whole number of bytes, 0 or more")
            }
            offset = value
        }
        let (key, status) = try database.transaction(scopedTo: caller.accountID) { transaction in
            guard
                let row = try transaction.query("select log_s3_key, status from kloudhub.deployments where id = \(id)")
                    .first
            else { throw APIError(.notFound, "not_found", "no such deployment") }
            return try row.decode((String?, String).self)
        }
        var text: [UInt8] = []
        if let key { text = try await logObject(key, in: logsBucket) }
        struct Page: Encodable {
            var text: String
            var offset: Int
            var nextOffset: Int
            var isComplete: Bool
        }
        let start = min(offset, text.count)
        return APIResponse.snakeCaseJSON(
            .ok,
            Page(
                text: String(decoding: text[start...], as: UTF8.self), offset: start, nextOffset: text.count,
                isComplete: ["succeeded", "failed", "cancelled"].contains(status)))
    }

    /// The log object; empty until Terraform has written its first lines.
    private func logObject(_ key: String, in logsBucket: String) async throws -> [UInt8] {
        let result: Result<S3Object, AWSError>
        do {
            result = .success(try await s3.getObject(bucket: logsBucket, key: key))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let object): return object.body
        case .failure(let error) where error.serviceCode == "NoSuchKey": return []
        case .failure(let error): throw error
        }
    }

    /// A queued deployment is cancelled at once; a running one is asked to stop (Terraform is
    /// interrupted, releases its lock, and the deployment ends `cancelled`).
    func cancel(_ id: UUID) throws -> APIGatewayV2Response {
        try caller.require(.write)
        let status = try database.transaction(scopedTo: caller.accountID) { transaction -> String? in
            try transaction.query(
                """
                update kloudhub.deployments set
                    cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now(),
                    status = case when status = 'queued' then 'cancelled' else status end,
                    finished_at = case when status = 'queued' then now() else finished_at end,
                    error_code = case when status = 'queued' then 'cancelled' else error_code end
                where id = \(id) and status in ('queued', 'running')
                returning status
                """
            ).first?.decode(String.self)
        }
        guard status != nil else {
            guard
                try database.transaction(
                    scopedTo: caller.accountID,
                    { transaction in
                        try transaction.query("select 1 from kloudhub.deployments where id = \(id)").first != nil
                    })
            else { throw APIError(.notFound, "not_found", "no such deployment") }
            throw APIError(.conflict, "deployment_finished", "the deployment has already finished")
        }
        return APIResponse.snakeCaseJSON(.accepted, try view(id))
    }

    private static let columns = """
        id, kloud_id, cloud_account_id, action, status, error_code, error_message, plan_summary::text,
        outputs::text, log_bytes, created_at, started_at, finished_at, cancel_requested_at
        """

    private func view(_ id: UUID) throws -> View {
        guard
            let view = try database.transaction(
                scopedTo: caller.accountID,
                { transaction in
                    try transaction.query(
                        "select \(unsafeRaw: Self.columns) from kloudhub.deployments where id = \(id)"
                    ).first
                        .map(Self.view)
                })
        else { throw APIError(.notFound, "not_found", "no such deployment") }
        return view
    }

    private static func view(_ row: PostgresRow) throws -> View {
        let (
            id, kloud, cloudAccount, action, status, code, message, plan, outputs, logBytes, createdAt, startedAt,
            finishedAt, cancelRequestedAt
        ) = try row.decode(
            (UUID, UUID, UUID, String, String, String?, String?, String?, String?, Int, Date, Date?, Date?, Date?).self)
        return View(
            id: id, kloudID: kloud, cloudAccountID: cloudAccount, action: action, status: status, errorCode: code,
            errorMessage: message, planSummary: plan.map { RawJSON(bytes: Array($0.utf8)) },
            outputs: outputs.map { RawJSON(bytes: Array($0.utf8)) },
            logBytes: logBytes, createdAt: createdAt, startedAt: startedAt, finishedAt: finishedAt,
            cancelRequestedAt: cancelRequestedAt)
    }
}
