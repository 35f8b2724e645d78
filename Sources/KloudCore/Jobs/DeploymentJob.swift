import FoundationEssentials
import LambdaRuntime

/// What a deployment does with its Kloud: Terraform's plan, apply or destroy.
public enum DeploymentAction: String, Sendable, CaseIterable, Codable {
    case plan, apply, destroy
}

/// The job that runs a deployment: an async invocation of the deploy function naming the
/// deployment and its account. The REST API and MCP's plan/apply/destroy tools queue it.
public struct DeploymentJob: QueuedJob {
    public static let name = "deployment.run"

    public var deploymentID: UUID
    public var accountID: UUID
    public var attempt: Int

    public init(deploymentID: UUID, accountID: UUID, attempt: Int = 1) {
        self.deploymentID = deploymentID
        self.accountID = accountID
        self.attempt = attempt
    }

    /// The job an async event carries, or nil when it is another job or malformed.
    public init?(_ job: AsyncJob) {
        guard job.job == Self.name, let id = UUID(uuidString: job.id),
            let account = job.payload["account_id"]?.stringValue.flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(deploymentID: id, accountID: account, attempt: job.attempt)
    }

    public var asyncJob: AsyncJob {
        AsyncJob(
            job: Self.name, id: deploymentID.uuidString.lowercased(), attempt: attempt,
            payload: .object(["account_id": .string(accountID.uuidString.lowercased())]))
    }
}

/// Queues deployments: the row (at most one queued or running per Kloud and cloud account),
/// then the job. Works for the worker role (REST, in deploy) and the API role (MCP), both
/// inside the caller's account.
public struct DeploymentQueue: Sendable {
    /// Why a deployment was not queued.
    public enum Refusal: Error, Sendable, Equatable {
        case kloudNotFound
        case cloudAccountNotFound
        case cloudAccountNotConnected(status: String)
        /// Another deployment of the Kloud into the cloud account is queued or running.
        case alreadyActive(UUID)
        /// The deploy function could not be asked to run it (the invoke failed); the deployment
        /// is recorded as failed with `not_started`, and asking again starts another.
        case notStarted(UUID)
    }

    /// A queued deployment; `isNew` is false when an idempotency key found an earlier one.
    public struct Queued: Sendable, Equatable {
        public var id: UUID
        public var isNew: Bool
    }

    /// A queued deployment whose job may have been lost (its invoke failed) is started again
    /// when someone asks for another after this long.
    public static let staleQueue: TimeInterval = 120

    public let database: PostgresClient
    public let jobs: JobQueue

    public init(database: PostgresClient, jobs: JobQueue) {
        self.database = database
        self.jobs = jobs
    }

    public func queue(
        kloudID: UUID, cloudAccountID: UUID, action: DeploymentAction, idempotencyKey: String?, account: UUID
    ) async throws -> Queued {
        enum Decision { case start(Queued), restart(UUID), refuse(Refusal) }
        let decision: Decision = try database.transaction(scopedTo: account) { transaction in
            if let idempotencyKey,
                let earlier = try transaction.query(
                    "select id from kloudhub.deployments where idempotency_key = \(idempotencyKey)"
                ).first
            {
                return .start(Queued(id: try earlier.decode(UUID.self), isNew: false))
            }
            guard try transaction.query("select 1 from kloudhub.klouds where id = \(kloudID)").first != nil else {
                return .refuse(.kloudNotFound)
            }
            guard
                let status = try transaction.query(
                    "select status from kloudhub.cloud_accounts where id = \(cloudAccountID)"
                )
                .first?.decode(String.self)
            else { return .refuse(.cloudAccountNotFound) }
            guard status == "connected" else { return .refuse(.cloudAccountNotConnected(status: status)) }
            if let inserted = try transaction.query(
                """
                insert into kloudhub.deployments (account_id, kloud_id, cloud_account_id, action, idempotency_key)
                values (\(account), \(kloudID), \(cloudAccountID), \(action.rawValue), \(idempotencyKey))
                on conflict do nothing returning id
                """
            ).first {
                return .start(Queued(id: try inserted.decode(UUID.self), isNew: true))
            }
            let (active, activeStatus, createdAt) = try transaction.query(
                """
                select id, status, created_at from kloudhub.deployments
                where kloud_id = \(kloudID) and cloud_account_id = \(cloudAccountID) and status in ('queued', 'running')
                """
            ).first!.decode((UUID, String, Date).self)
            if activeStatus == "queued" && Date().timeIntervalSince(createdAt) > Self.staleQueue {
                return .restart(active)
            }
            return .refuse(.alreadyActive(active))
        }
        switch decision {
        case .start(let queued):
            guard queued.isNew else { return queued }
            do {
                try await jobs.start(DeploymentJob(deploymentID: queued.id, accountID: account))
            } catch {
                // A run that cannot be started must not stay queued: it would block the Kloud.
                try? markNotStarted(queued.id, account: account)
                throw Refusal.notStarted(queued.id)
            }
            return queued
        case .restart(let active):
            try await jobs.start(DeploymentJob(deploymentID: active, accountID: account))
            throw Refusal.alreadyActive(active)
        case .refuse(let refusal):
            throw refusal
        }
    }

    /// Ends a queued deployment whose run could not be handed to the deploy function.
    private func markNotStarted(_ id: UUID, account: UUID) throws {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.deployments
                set status = 'failed', started_at = now(), finished_at = now(), updated_at = now(),
                    error_code = 'not_started', error_message = 'KloudHub could not start the run; ask again'
                where id = \(id) and status = 'queued'
                """)
        }
    }
}
