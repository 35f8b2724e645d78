import FoundationEssentials
import KloudCore
import LambdaRuntime
import Logging

/// Runs one deployment: a fresh working folder with the Kloud's files and a generated S3
/// backend (KloudHub's state bucket, one key per Kloud and cloud account, lock file, encrypted),
/// then `terraform init`, `plan -out` and, for apply or destroy, `apply` of that plan. The
/// customer's credentials reach Terraform through its environment only; the log goes to S3 as
/// it grows, redacted. Status moves queued → running → succeeded, failed or cancelled.
struct DeploymentRunner: Sendable {
    /// Time kept back from the invocation deadline to stop Terraform cleanly and record why.
    static let deadlineReserve: Duration = .seconds(45)
    /// A deployment still `running` this long after it started was cut off (the function's
    /// 15-minute limit has passed): a redelivered job marks it failed.
    static let abandonedAfter: TimeInterval = 16 * 60

    let database: PostgresClient
    let connections: CloudConnections
    let klouds: KloudStore
    let terraform: Terraform
    let s3: S3Client
    /// Buckets: `state` for Terraform state, `logs` for deployment logs.
    let stateBucket: String
    let logsBucket: String
    /// KloudHub's own AWS settings and credentials: the S3 backend signs with them.
    let ownAWS: AWSConfiguration
    /// The AWS endpoints (`AWS_ENDPOINT_URL...`, not Lambda's) and CA bundle Terraform uses
    /// too: where the function reaches AWS, so does Terraform.
    let terraformAWSVariables: [String: String]
    let outbox: NotificationOutbox?

    struct Claimed {
        var kloudID: UUID
        var cloudAccountID: UUID
        var action: DeploymentAction
        var logKey: String
    }

    enum Outcome: String, Encodable, Sendable {
        case succeeded, failed, cancelled, skipped
    }

    /// Why a run ended without success, as stored on the deployment.
    struct Failure: Error {
        var code: String
        var message: String
    }

    func run(_ job: DeploymentJob, deadline: ContinuousClock.Instant, logger: Logger) async throws -> Outcome {
        let account = job.accountID
        guard let claimed = try claim(job.deploymentID, account: account) else { return .skipped }
        let log = DeploymentLog(
            s3: s3, bucket: logsBucket, key: claimed.logKey,
            onFlush: { [database] size, tail in
                try database.transaction(scopedTo: account) { transaction in
                    _ = try transaction.execute(
                        """
                        update kloudhub.deployments set log_bytes = \(size), log_tail = \(tail), updated_at = now()
                        where id = \(job.deploymentID)
                        """)
                }
            })
        var result: (outcome: Outcome, failure: Failure?, summary: PlanSummary?, outputs: [String: JSONValue]?)
        do {
            let (summary, outputs) = try await execute(
                job.deploymentID, claimed, account: account, deadline: deadline, log: log)
            result = (.succeeded, nil, summary, outputs)
        } catch let failure as Failure {
            result = (failure.code == "cancelled" ? .cancelled : .failed, failure, nil, nil)
        } catch {
            logger.error("deployment failed", metadata: ["deployment": "\(job.deploymentID)", "error": "\(error)"])
            result = (
                .failed, Failure(code: "internal_error", message: "KloudHub could not run the deployment"), nil, nil
            )
        }
        try? await log.note("deployment \(result.outcome.rawValue)" + (result.failure.map { ": \($0.message)" } ?? ""))
        try? await log.flush()
        let notification = try finish(
            job.deploymentID, account: account, outcome: result.outcome, failure: result.failure,
            summary: result.summary, outputs: result.outputs)
        if let outbox, let notification {
            do {
                try await outbox.send(notification, account: account)
            } catch {
                logger.warning("notification not sent", metadata: ["error": "\(error)"])
            }
        }
        return result.outcome
    }

    // MARK: the run

    private func execute(
        _ id: UUID, _ claimed: Claimed, account: UUID, deadline: ContinuousClock.Instant, log: DeploymentLog
    ) async throws -> (PlanSummary?, [String: JSONValue]?) {
        guard let contents = try await klouds.contents(claimed.kloudID, account: account) else {
            throw Failure(code: "kloud_missing", message: "the Kloud no longer exists")
        }
        guard let cloudAccount = try connections.cloudAccount(claimed.cloudAccountID, account: account),
            cloudAccount.status == "connected"
        else { throw Failure(code: "cloud_account_unavailable", message: "the cloud account is not connected") }
        let customer: AWSCredentials
        do {
            customer = try await connections.credentials(
                for: cloudAccount, account: account, sessionName: "kloudhub-deploy"
            ).credentials()
        } catch {
            throw Failure(code: "cloud_access_denied", message: "KloudHub could not sign in to the cloud account")
        }
        guard let own = ownAWS.credentials else {
            throw Failure(code: "internal_error", message: "KloudHub has no credentials for its state bucket")
        }
        let redactor = LogRedactor(
            secrets: [
                customer.accessKeyID, customer.secretAccessKey, customer.sessionToken ?? "", own.accessKeyID,
                own.secretAccessKey, own.sessionToken ?? "",
            ] + contents.sensitiveValues)
        // Redacted by complete lines in the log, so a secret split across two reads is caught.
        await log.redact(with: redactor)

        let folder = try terraform.scratchFolder("deploy-" + id.uuidString.lowercased())
        defer { folder.remove() }
        try folder.write(Array(terraform.cliConfiguration.utf8), at: Terraform.cliConfigurationName)
        try folder.write(Array("terraform {\n  backend \"s3\" {}\n}\n".utf8), at: "kloudhub_backend.tf")
        for file in contents.files { try folder.write(Array(file.content.utf8), at: file.path) }

        var runEnvironment = TerraformVariables.environment(contents.variables)
        runEnvironment["AWS_ACCESS_KEY_ID"] = customer.accessKeyID
        runEnvironment["AWS_SECRET_ACCESS_KEY"] = customer.secretAccessKey
        runEnvironment["AWS_SESSION_TOKEN"] = customer.sessionToken
        runEnvironment["AWS_REGION"] = cloudAccount.region
        runEnvironment["AWS_DEFAULT_REGION"] = cloudAccount.region
        runEnvironment.merge(terraformAWSVariables) { _, passed in passed }

        let stopAt = deadline - Self.deadlineReserve
        let cancellation = CancellationCheck(database: database, deployment: id, account: account)
        func step(_ arguments: [String], capture: Bool = false) async throws -> [UInt8] {
            try await log.note("terraform " + arguments.prefix(while: { !$0.hasPrefix("-") }).joined(separator: " "))
            var captured: [UInt8] = []
            var stopReason: Failure?
            let termination = try await terraform.run(arguments, in: folder.path, environment: runEnvironment) {
                if stopReason == nil {
                    if ContinuousClock.now >= stopAt {
                        stopReason = Failure(
                            code: "deadline",
                            message:
                                "Terraform was stopped before the function's time limit; the state lock is released")
                    } else if cancellation.isRequested() {
                        stopReason = Failure(code: "cancelled", message: "cancelled on request")
                    }
                }
                return stopReason != nil
            } output: { chunk in
                if capture { captured += chunk } else { try? await log.append(chunk) }
            }
            if let stopReason { throw stopReason }
            guard termination.succeeded else {
                if capture { try? await log.append(captured) }
                throw Failure(
                    code: "terraform_failed",
                    message: "terraform \(arguments[0]) failed (\(termination)); see the log")
            }
            return captured
        }

        let key =
            AccountStorage.prefix(for: account)
            + "state/\(claimed.kloudID.uuidString.lowercased())/\(claimed.cloudAccountID.uuidString.lowercased()).tfstate"
        var backend = [
            "bucket=\(stateBucket)", "key=\(key)", "region=\(ownAWS.region)", "use_lockfile=true", "encrypt=true",
            "access_key=\(own.accessKeyID)", "secret_key=\(own.secretAccessKey)",
        ]
        if let token = own.sessionToken { backend.append("token=\(token)") }
        if ownAWS.endpoint(for: .s3).isCustom {
            // A local AWS (the endpoint reaches the backend through the environment): its
            // loopback address takes path-style bucket addresses only.
            backend.append("use_path_style=true")
        }
        try mark("terraform_started_at", id, account: account)
        defer { try? mark("terraform_ended_at", id, account: account) }
        _ = try await step(["init", "-input=false", "-no-color"] + backend.map { "-backend-config=\($0)" })
        let planArguments = ["plan", "-input=false", "-no-color", "-lock-timeout=60s", "-out=kloudhub.tfplan"]
        _ = try await step(planArguments + (claimed.action == .destroy ? ["-destroy"] : []))
        let shown = try await step(["show", "-json", "-no-color", "kloudhub.tfplan"], capture: true)
        let summary = PlanSummary(planJSON: shown)
        try await recordPlan(id, summary: summary, account: account)
        guard claimed.action != .plan else { return (summary, nil) }
        _ = try await step(["apply", "-input=false", "-no-color", "-lock-timeout=60s", "kloudhub.tfplan"])
        let outputs = try await step(["output", "-json", "-no-color"], capture: true)
        return (summary, TerraformOutputs.nonSensitive(outputs))
    }

    // MARK: the row

    /// Takes a queued deployment for this invocation; nil when another has it or it has ended.
    private func claim(_ id: UUID, account: UUID) throws -> Claimed? {
        let logKey = AccountStorage.prefix(for: account) + "deployments/\(id.uuidString.lowercased())/terraform.log"
        return try database.transaction(scopedTo: account) { transaction in
            if let row = try transaction.query(
                """
                update kloudhub.deployments set status = 'running', started_at = now(), log_s3_key = \(logKey),
                       updated_at = now()
                where id = \(id) and status = 'queued' and cancel_requested_at is null
                returning kloud_id, cloud_account_id, action
                """
            ).first {
                let (kloud, cloudAccount, action) = try row.decode((UUID, UUID, String).self)
                return Claimed(
                    kloudID: kloud, cloudAccountID: cloudAccount, action: DeploymentAction(rawValue: action)!,
                    logKey: logKey)
            }
            // A redelivery: the run it repeats either goes on, or was cut off by the time limit.
            _ = try transaction.execute(
                """
                update kloudhub.deployments set status = 'failed', finished_at = now(), updated_at = now(),
                       error_code = 'interrupted', error_message = 'the run was cut off before it finished'
                where id = \(id) and status = 'running'
                  and started_at < now() - make_interval(secs => \(Self.abandonedAfter))
                """)
            return nil
        }
    }

    /// Records when Terraform started or ended in the deployment's progress, for the timings a
    /// person sees and the overhead benchmark.
    private func mark(_ moment: String, _ id: UUID, account: UUID) throws {
        try database.transaction(scopedTo: account) { transaction in
            _ = try transaction.execute(
                """
                update kloudhub.deployments set progress = progress || jsonb_build_object(\(moment)::text, clock_timestamp())
                where id = \(id)
                """)
        }
    }

    private func recordPlan(_ id: UUID, summary: PlanSummary, account: UUID) throws {
        let json = try PostgresJSON(encoding: summary)
        try database.transaction(scopedTo: account) { transaction in
            _ = try transaction.execute("update kloudhub.deployments set plan_summary = \(json) where id = \(id)")
        }
    }

    /// Stores how the run ended and, in the same transaction, its notification; returns the
    /// notification's id.
    private func finish(
        _ id: UUID, account: UUID, outcome: Outcome, failure: Failure?, summary: PlanSummary?,
        outputs: [String: JSONValue]?
    ) throws -> UUID? {
        let outputsJSON = try outputs.map { try PostgresJSON(encoding: $0) }
        return try database.transaction(scopedTo: account) { transaction in
            guard
                let row = try transaction.query(
                    """
                    update kloudhub.deployments d set status = \(outcome.rawValue), finished_at = now(), updated_at = now(),
                           error_code = \(failure?.code), error_message = \(failure?.message),
                           outputs = coalesce(\(outputsJSON), d.outputs)
                    from kloudhub.klouds k, kloudhub.cloud_accounts c
                    where d.id = \(id) and d.status = 'running' and k.id = d.kloud_id and c.id = d.cloud_account_id
                    returning d.action, k.name, c.name
                    """
                ).first
            else { return nil }
            let (action, kloudName, cloudAccountName) = try row.decode((String, String, String).self)
            let payload = try PostgresJSON(encoding: [
                "deployment_id": id.uuidString.lowercased(), "action": action, "status": outcome.rawValue,
                "kloud_name": kloudName, "cloud_account_name": cloudAccountName,
                "error_message": failure?.message ?? "",
            ])
            return try transaction.query(
                """
                insert into kloudhub.notifications (account_id, kind, subject_id, payload, idempotency_key)
                values (\(account), 'deployment_status', \(id), \(payload), \("deployment:\(id.uuidString.lowercased())"))
                on conflict do nothing returning id
                """
            ).first?.decode(UUID.self)
        }
    }
}

/// Whether someone asked to cancel the deployment; asks the database at most every few seconds.
final class CancellationCheck: @unchecked Sendable {
    let database: PostgresClient
    let deployment: UUID
    let account: UUID
    private var lastAsked = ContinuousClock.now
    private var requested = false

    init(database: PostgresClient, deployment: UUID, account: UUID) {
        self.database = database
        self.deployment = deployment
        self.account = account
    }

    /// Called from one task only (the run's polling loop).
    func isRequested() -> Bool {
        guard !requested, ContinuousClock.now - lastAsked >= .seconds(2) else { return requested }
        lastAsked = .now
        requested =
            (try? database.transaction(scopedTo: account) { transaction in
                try transaction.query(
                    "select 1 from kloudhub.deployments where id = \(deployment) and cancel_requested_at is not null"
                ).first != nil
            }) ?? false
        return requested
    }
}

/// Terraform's plan in numbers: resources to add, change and destroy.
struct PlanSummary: Codable, Sendable, Equatable {
    var add = 0
    var change = 0
    var destroy = 0

    init(planJSON: [UInt8]) {
        struct Plan: Decodable {
            struct Change: Decodable {
                struct Detail: Decodable { var actions: [String] }
                var change: Detail
            }
            var resourceChanges: [Change]?
            enum CodingKeys: String, CodingKey { case resourceChanges = "resource_changes" }
        }
        guard let plan = try? JSONDecoder().decode(Plan.self, from: Data(planJSON)) else { return }
        for resource in plan.resourceChanges ?? [] {
            let actions = resource.change.actions
            if actions.contains("create") { add += 1 }
            if actions.contains("delete") { destroy += 1 }
            if actions == ["update"] { change += 1 }
        }
    }
}

/// `terraform output -json`: the outputs not marked sensitive.
enum TerraformOutputs {
    static func nonSensitive(_ json: [UInt8]) -> [String: JSONValue] {
        struct Output: Decodable {
            var sensitive: Bool
            var value: JSONValue
        }
        guard let outputs = try? JSONDecoder().decode([String: Output].self, from: Data(json)) else { return [:] }
        return outputs.filter { !$0.value.sensitive }.mapValues(\.value)
    }
}
