import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// The deploy function's real binary behind the emulator, with this machine's terraform and AWS
/// provider, on the local AWS (signatures checked): a Kloud with an S3 bucket, an SQS queue and
/// an IAM role is planned, applied (the resources exist in the customer account), planned again
/// with no changes and destroyed; its state and lock live in KloudHub's state bucket; its log is
/// readable and redacted; a notification goes out through SES. Broken Klouds and bad input are
/// refused or fail with the error shown, and nothing stays locked.
@Suite(.serialized) struct DeploymentTests {
    static let sensitiveCanary = "hunter2-" + UUID().uuidString
    /// Shaped like an AWS access key id, in a variable that is not marked sensitive: the log
    /// redacts it by its shape.
    static let keyShapedCanary =
        "AKIA" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").uppercased().prefix(16))

    let stack: FunctionStack.Running

    init() async throws {
        stack = try await FunctionStack.withLocalAWS.running()
    }

    static func files(suffix: String) -> [[String: String]] {
        [
            [
                "path": "main.tf",
                "content": """
                variable "suffix" {
                  type = string
                }

                variable "owner_key" {
                  type = string
                }

                variable "db_password" {
                  type      = string
                  sensitive = true
                }

                resource "aws_s3_bucket" "assets" {
                  bucket = "kloud-assets-${var.suffix}"
                  tags   = { owner_key = var.owner_key }
                }

                resource "aws_sqs_queue" "jobs" {
                  name = "kloud-jobs-${var.suffix}"
                }

                resource "aws_iam_role" "worker" {
                  name = "kloud-worker-${var.suffix}"
                  assume_role_policy = jsonencode({
                    Version   = "2012-10-17"
                    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
                  })
                  tags = { password_digest = sha256(var.db_password) }
                }
                """,
            ],
            [
                "path": "outputs.tf",
                "content": """
                output "queue_name" {
                  value = aws_sqs_queue.jobs.name
                }

                output "password" {
                  value     = var.db_password
                  sensitive = true
                }
                """,
            ],
        ]
    }

    static func kloud(suffix: String, name: String? = nil) -> [String: Any] {
        [
            "name": name ?? "stack-\(suffix)", "description": "a bucket, a queue and a role",
            "files": files(suffix: suffix),
            "variables": [
                "suffix": ["value": suffix], "owner_key": ["value": keyShapedCanary],
                "db_password": ["value": sensitiveCanary, "sensitive": true, "description": "the database password"],
            ],
        ]
    }

    @Test func plansAppliesReplansAndDestroysAKloudInTheCustomerAccount() async throws {
        let person = try stack.person()
        let cloudAccount = try stack.connectCustomer(to: person.account)
        let suffix = String(UUID().uuidString.lowercased().prefix(8))

        let created = try await person.send("POST", "/v1/klouds", Self.kloud(suffix: suffix))
        #expect(created.status == 201, "\(created.text)")
        let kloud = try created.object()
        let kloudID = try #require(kloud["id"] as? String)
        let variables = kloud["variables"] as? [String: [String: Any]]
        #expect(variables?["db_password"]?["value"] as? String == "[redacted]")
        #expect(variables?["suffix"]?["value"] as? String == suffix)
        #expect(!created.text.contains(Self.sensitiveCanary))

        let planned = try await deploy(kloudID, into: cloudAccount, action: "plan", as: person)
        #expect(planned["status"] as? String == "succeeded", "\(planned)")
        #expect(planned["plan_summary"] as? [String: Int] == ["add": 3, "change": 0, "destroy": 0])
        #expect(try stack.customerInventory().queues.contains("kloud-jobs-\(suffix)") == false)

        let emailsBefore = try stack.sentEmails()
        let applied = try await deploy(kloudID, into: cloudAccount, action: "apply", as: person)
        #expect(applied["status"] as? String == "succeeded", "\(applied)")
        #expect(applied["outputs"] as? [String: String] == ["queue_name": "kloud-jobs-\(suffix)"])
        let inventory = try stack.customerInventory()
        #expect(inventory.buckets.contains("kloud-assets-\(suffix)"))
        #expect(inventory.queues.contains("kloud-jobs-\(suffix)"))
        #expect(inventory.roles.contains("kloud-worker-\(suffix)"))

        let id = try #require(applied["id"] as? String)
        let log = try await person.send("GET", "/v1/deployments/\(id)/logs")
        let logText = try log.object()["text"] as? String ?? ""
        #expect(logText.contains("Apply complete! Resources: 3 added"), "\(logText)")
        #expect(try log.object()["is_complete"] as? Bool == true)
        #expect(!logText.contains(Self.sensitiveCanary) && !logText.contains(Self.keyShapedCanary))
        #expect(logText.contains("[redacted]"))
        let later = try await person.send("GET", "/v1/deployments/\(id)/logs?offset=\(logText.utf8.count - 20)")
        #expect((try later.object()["text"] as? String)?.utf8.count == 20)

        let state = try await stack.stateObjects(of: person.account)
        #expect(state.count == 1 && state[0].hasSuffix(".tfstate"), "one state object, no lock left: \(state)")

        #expect(try await stack.eventually { try stack.sentEmails() >= emailsBefore + 1 })
        let notification = try stack.database.client(as: .maintenance).query(
            "select status, kind from kloudhub.notifications where subject_id = \(UUID(uuidString: id)!)"
        ).first?.decode((String, String).self)
        #expect(notification?.0 == "sent" && notification?.1 == "deployment_status")

        let replanned = try await deploy(kloudID, into: cloudAccount, action: "plan", as: person)
        #expect(replanned["plan_summary"] as? [String: Int] == ["add": 0, "change": 0, "destroy": 0], "\(replanned)")

        let destroyed = try await deploy(kloudID, into: cloudAccount, action: "destroy", as: person)
        #expect(destroyed["status"] as? String == "succeeded", "\(destroyed)")
        #expect(destroyed["plan_summary"] as? [String: Int] == ["add": 0, "change": 0, "destroy": 3])
        let after = try stack.customerInventory()
        #expect(!after.buckets.contains("kloud-assets-\(suffix)") && !after.queues.contains("kloud-jobs-\(suffix)"))
        #expect(!after.roles.contains("kloud-worker-\(suffix)"))

        // The secret is sealed at rest: no row of the account holds it in plaintext.
        let rows =
            try stack.database.client(as: .maintenance).query(
                """
                select coalesce(string_agg(k::text, ''), '') || coalesce((select string_agg(d::text, '') from kloudhub.deployments d
                       where d.account_id = \(person.account)), '')
                from kloudhub.klouds k where k.account_id = \(person.account)
                """
            ).first?.decode(String.self) ?? ""
        #expect(!rows.isEmpty && !rows.contains(Self.sensitiveCanary))
    }

    @Test func aBrokenKloudFailsWithItsErrorAndLeavesNothingLocked() async throws {
        let person = try stack.person()
        let cloudAccount = try stack.connectCustomer(to: person.account)

        var syntax = Self.kloud(suffix: "x", name: "syntax")
        syntax["files"] = [["path": "broken.tf", "content": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n"]]
        let refused = try await person.send("POST", "/v1/klouds", syntax)
        #expect(refused.status == 422)
        let errors = try refused.object()["errors"] as? [[String: Any]] ?? []
        #expect(
            errors.first?["file"] as? String == "broken.tf" && errors.first?["line"] as? Int == 2, "\(refused.text)")

        var unknownArgument = syntax
        unknownArgument["files"] = [
            ["path": "main.tf", "content": "resource \"aws_sqs_queue\" \"q\" {\n  nmae = \"q\"\n}\n"]
        ]
        let invalid = try await person.send("POST", "/v1/klouds", unknownArgument)
        #expect(invalid.status == 422 && invalid.text.contains("nmae"), "\(invalid.text)")

        // Valid Terraform that the local AWS refuses at apply: an object in a bucket that does
        // not exist.
        var refusedByAWS = syntax
        refusedByAWS["name"] = "refused-by-aws"
        refusedByAWS["files"] = [
            [
                "path": "main.tf",
                "content": """
                resource "aws_s3_object" "o" {
                  bucket  = "no-such-bucket-\(UUID().uuidString.lowercased().prefix(8))"
                  key     = "hello.txt"
                  content = "hello"
                }
                """,
            ]
        ]
        refusedByAWS["variables"] = [:] as [String: Any]
        let kloud = try await person.send("POST", "/v1/klouds", refusedByAWS)
        #expect(kloud.status == 201, "\(kloud.text)")
        let kloudID = try #require(try kloud.object()["id"] as? String)
        let failed = try await deploy(kloudID, into: cloudAccount, action: "apply", as: person)
        #expect(failed["status"] as? String == "failed")
        #expect(failed["error_code"] as? String == "terraform_failed")
        let log = try await person.send("GET", "/v1/deployments/\(failed["id"] as? String ?? "")/logs")
        #expect((try log.object()["text"] as? String ?? "").contains("NoSuchBucket"), "\(log.text)")
        let objects = try await stack.stateObjects(of: person.account)
        #expect(!objects.contains { $0.hasSuffix(".tflock") }, "the state lock is released: \(objects)")

        // The next run of the same Kloud is not blocked by a lock.
        let again = try await deploy(kloudID, into: cloudAccount, action: "plan", as: person)
        #expect(again["status"] as? String == "succeeded", "\(again)")
    }

    @Test func aSecondDeploymentWhileOneRunsIsRefusedAndCancellationStopsIt() async throws {
        let person = try stack.person()
        let cloudAccount = try stack.connectCustomer(to: person.account)
        let created = try await person.send(
            "POST", "/v1/klouds", Self.kloud(suffix: String(UUID().uuidString.lowercased().prefix(8))))
        let kloudID = try #require(try created.object()["id"] as? String)
        let body = ["cloud_account_id": cloudAccount.uuidString.lowercased(), "action": "apply"]
        let first = try await person.send("POST", "/v1/klouds/\(kloudID)/deployments", body)
        #expect(first.status == 202)
        let id = try #require(try first.object()["id"] as? String)
        let second = try await person.send("POST", "/v1/klouds/\(kloudID)/deployments", body)
        #expect(second.status == 409 && second.text.lowercased().contains(id.lowercased()), "\(second.text)")

        // Cancelled while Terraform runs: it is interrupted and lets go of the state lock.
        _ = try await stack.eventually(60) {
            try await person.send("GET", "/v1/deployments/\(id)").object()["status"] as? String == "running"
        }
        let cancelled = try await person.send("POST", "/v1/deployments/\(id)/cancel", [:])
        #expect(cancelled.status == 202)
        let ended = try await finished(id, as: person)
        #expect(ended["status"] as? String == "cancelled", "\(ended)")
        let log = try await person.send("GET", "/v1/deployments/\(id)/logs").object()["text"] as? String ?? ""
        #expect(log.contains("cancelled on request"), "\(log)")
        #expect(try await person.send("POST", "/v1/deployments/\(id)/cancel", [:]).status == 409)
        let objects = try await stack.stateObjects(of: person.account)
        #expect(!objects.contains { $0.hasSuffix(".tflock") })
        let third = try await person.send("POST", "/v1/klouds/\(kloudID)/deployments", body)
        #expect(third.status == 202, "once it has ended another may start")
        _ = try await finished(try #require(try third.object()["id"] as? String), as: person)
    }

    /// A run that would pass the invocation's time limit: Terraform is interrupted in time, the
    /// state lock released, and the deployment marked failed with the reason.
    @Test func aRunNearItsDeadlineStopsTerraformCleanly() async throws {
        let person = try stack.person()
        let cloudAccount = try stack.connectCustomer(to: person.account)
        let created = try await person.send(
            "POST", "/v1/klouds", Self.kloud(suffix: "late\(UUID().uuidString.prefix(4).lowercased())"))
        let kloudID = try #require(try created.object()["id"] as? String)
        // 50 seconds, of which the last 45 are kept back: Terraform is stopped 5 seconds in.
        let id = try await FunctionStack.withShortTimeout("deploy", timeout: 50, on: stack) { gateway in
            let hurried = FunctionStack.Person(account: person.account, key: person.key, gateway: gateway)
            let started = try await hurried.send(
                "POST", "/v1/klouds/\(kloudID)/deployments",
                ["cloud_account_id": cloudAccount.uuidString.lowercased(), "action": "apply"])
            let id = try #require(try started.object()["id"] as? String, "\(started.text)")
            _ = try await finished(id, as: person)
            return id
        }
        let ended = try await person.send("GET", "/v1/deployments/\(id)").object()
        #expect(ended["status"] as? String == "failed" && ended["error_code"] as? String == "deadline", "\(ended)")
        #expect((ended["error_message"] as? String ?? "").contains("time limit"))
        let objects = try await stack.stateObjects(of: person.account)
        #expect(!objects.contains { $0.hasSuffix(".tflock") }, "\(objects)")
    }

    @Test func refusesBadInputAndChangesNothing() async throws {
        let person = try stack.person()
        let other = try stack.person()
        let cloudAccount = try stack.connectCustomer(to: person.account)
        let created = try await person.send("POST", "/v1/klouds", Self.kloud(suffix: "bad"))
        let kloudID = try #require(try created.object()["id"] as? String)
        let valid = Self.kloud(suffix: "other")

        func with(_ key: String, _ value: Any) -> [String: Any] {
            var body = valid
            body[key] = value
            return body
        }
        let oneFile = { (path: String, content: String) in [["path": path, "content": content]] }
        let cases: [(body: Any, status: Int, code: String)] = [
            (with("files", oneFile("../escape.tf", "")), 400, "invalid_path"),
            (with("files", oneFile("/etc/passwd.tf", "")), 400, "invalid_path"),
            (with("files", oneFile("modules/../../x.tf", "")), 400, "invalid_path"),
            (with("files", oneFile("run.sh", "echo")), 400, "invalid_path"),
            (with("files", oneFile(".hidden.tf", "")), 400, "invalid_path"),
            (with("files", oneFile("kloudhub_backend.tf", "")), 400, "invalid_path"),
            (with("files", oneFile("big.tf", String(repeating: "#", count: 1024 * 1024 + 1))), 400, "file_too_large"),
            // The worst a body under the limit can be: 1.2 MB of quotes, 2.4 MB once JSON-escaped,
            // 4.8 MB in the event; it still reaches the function, which names what is wrong.
            (with("files", oneFile("quotes.tf", String(repeating: "\"", count: 1_200_000))), 400, "file_too_large"),
            (
                with(
                    "files", (0..<3).map { ["path": "f\($0).tf", "content": String(repeating: "#", count: 800_000)] }),
                400, "kloud_too_large"
            ),
            (with("files", (0..<101).map { ["path": "f\($0).tf", "content": ""] }), 400, "too_many_files"),
            (with("files", [] as [Any]), 400, "too_many_files"),
            (with("name", ""), 400, "invalid_request"),
            (with("name", 7), 400, "invalid_request"),
            (with("origin", "stolen"), 400, "invalid_request"),
            (with("variables", ["bad name": ["value": 1]]), 400, "invalid_request"),
            (with("variables", ["secret": ["sensitive": true]]), 400, "invalid_request"),
        ]
        for (body, status, code) in cases {
            let answer = try await person.send("POST", "/v1/klouds", body)
            #expect(
                answer.status == status && (try? answer.object()["error"] as? String) == code,
                "\(answer.text.prefix(300))")
        }
        let malformed = try await person.send("POST", "/v1/klouds", raw: "{not json")
        #expect(malformed.status == 400)
        let duplicate = try await person.send("POST", "/v1/klouds", Self.kloud(suffix: "bad"))
        #expect(duplicate.status == 409)

        let deployments = "/v1/klouds/\(kloudID)/deployments"
        let unknownAccount = try await person.send(
            "POST", deployments, ["cloud_account_id": UUID().uuidString, "action": "plan"])
        #expect(unknownAccount.status == 404)
        let badAction = try await person.send(
            "POST", deployments, ["cloud_account_id": cloudAccount.uuidString, "action": "explode"])
        #expect(badAction.status == 400)
        let foreign = try await other.send(
            "POST", deployments, ["cloud_account_id": cloudAccount.uuidString, "action": "plan"])
        #expect(foreign.status == 404, "another account's Kloud is not found")
        #expect(try await other.send("GET", "/v1/klouds/\(kloudID)").status == 404)
        #expect(try await other.send("DELETE", "/v1/klouds/\(kloudID)").status == 404)
        #expect(try await person.send("GET", "/v1/deployments/\(UUID().uuidString)/logs").status == 404)
        #expect(try await person.send("GET", "/v1/deployments/\(UUID().uuidString)/logs?offset=-1").status == 400)

        let readOnly = try stack.person(scopes: [.read])
        #expect(try await readOnly.send("POST", "/v1/klouds", valid).status == 403)
        #expect(try await Gateway(base: stack.gateway).send("GET", "/v1/klouds").status == 401)

        let counts = try stack.database.client(as: .maintenance).query(
            """
            select (select count(*) from kloudhub.klouds where account_id = \(person.account))::int,
                   (select count(*) from kloudhub.deployments where account_id = \(person.account))::int
            """
        ).first?.decode((Int, Int).self)
        #expect(counts?.0 == 1 && counts?.1 == 0, "only the one valid Kloud, no deployment")

        let deleted = try await person.send("DELETE", "/v1/klouds/\(kloudID)")
        #expect(deleted.status == 204)
        #expect(try await person.send("GET", "/v1/klouds/\(kloudID)").status == 404)
    }

    /// MCP's plan_kloud (write scope) queues a run the deploy function picks up, and
    /// get_deployment shows its summary and the last lines of its log.
    @Test func plansFromMCPAndShowsTheLogTail() async throws {
        let person = try stack.person()
        let readOnly = try stack.person(scopes: [.read])
        let cloudAccount = try stack.connectCustomer(to: person.account)
        let created = try await person.send(
            "POST", "/v1/klouds", Self.kloud(suffix: "mcp\(UUID().uuidString.prefix(4).lowercased())"))
        let kloudID = try #require(try created.object()["id"] as? String)
        func call(_ tool: String, _ arguments: [String: Any], key: String) async throws -> [String: Any] {
            let answer = try await person.gateway.json(
                "POST", "/mcp",
                ["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": tool, "arguments": arguments]],
                headers: [
                    "Authorization": "Bearer \(key)", "Accept": "application/json, text/event-stream",
                    "MCP-Protocol-Version": "2025-06-18",
                ])
            guard answer.status == 200 else { return ["status": answer.status] }
            return try answer.object()["result"] as? [String: Any] ?? [:]
        }
        let arguments = ["kloud_id": kloudID, "cloud_account_id": cloudAccount.uuidString.lowercased()]
        #expect(try await call("plan_kloud", arguments, key: readOnly.key)["status"] as? Int == 403)
        let started = try await call("plan_kloud", arguments, key: person.key)
        #expect(started["isError"] as? Bool == false, "\(started)")
        let id = try #require((started["structuredContent"] as? [String: Any])?["deployment_id"] as? String)
        let ended = try await finished(id, as: person)
        #expect(ended["status"] as? String == "succeeded", "\(ended)")

        let shown = try await call("get_deployment", ["deployment_id": id], key: person.key)
        let detail = try #require(shown["structuredContent"] as? [String: Any])
        #expect(detail["plan_summary"] as? [String: Int] == ["add": 3, "change": 0, "destroy": 0])
        let tail = detail["log_tail"] as? String ?? ""
        #expect(tail.contains("deployment succeeded") && !tail.contains(Self.sensitiveCanary), "\(tail)")
        let unknown = try await call(
            "plan_kloud", ["kloud_id": UUID().uuidString, "cloud_account_id": cloudAccount.uuidString], key: person.key)
        #expect(unknown["isError"] as? Bool == true)
    }

    /// The retention sweep sends what SES refused or what was never sent, once: a send left
    /// half-done (the function died) is marked failed, never repeated (PP-notify).
    @Test func theSweepSendsDueNotificationsOnceAndNeverRepeatsAHalfDoneSend() async throws {
        let person = try stack.person()
        let maintenance = stack.database.client(as: .maintenance)
        let due = UUID()
        let halfDone = UUID()
        try maintenance.transaction { transaction in
            _ = try transaction.execute(
                """
                insert into kloudhub.notifications (id, account_id, kind, payload, idempotency_key, attempts, next_attempt_at, created_at)
                values (\(due), \(person.account), 'deployment_status',
                        '{"action": "apply", "status": "failed", "kloud_name": "web"}', \("due-\(due)"), 1,
                        now() - interval '1 minute', now() - interval '5 minutes')
                """)
            _ = try transaction.execute(
                """
                insert into kloudhub.notifications (id, account_id, kind, idempotency_key, status, attempts, next_attempt_at)
                values (\(halfDone), \(person.account), 'deployment_status', \("half-\(halfDone)"), 'sending', 1,
                        now() - interval '2 hours')
                """)
        }
        func sweep() async throws -> [String: Int] {
            guard case .success(let output) = try await stack.invoke("retention-sweep", ["dryRun": false]) else {
                throw FunctionTestFailure("the sweep failed")
            }
            return try JSONDecoder().decode(SweepReport.self, from: output).counts
        }
        func state() throws -> [UUID: (String, Int)] {
            let rows = try maintenance.query(
                "select id, status, attempts from kloudhub.notifications where id in (\(due), \(halfDone))"
            ).decode((UUID, String, Int).self)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, ($0.1, $0.2)) })
        }
        let before = try stack.sentEmails()
        let first = try await sweep()
        let afterFirst = try stack.sentEmails()
        #expect((first["notifications_sent"] ?? 0) >= 1 && (first["notifications_abandoned"] ?? 0) >= 1, "\(first)")
        #expect(afterFirst >= before + 1)
        // Claimed once (attempts 1 → 2) and sent; the half-done one failed, its attempts untouched.
        #expect(try state()[due].map { $0 == ("sent", 2) } == true)
        #expect(try state()[halfDone].map { $0 == ("failed", 1) } == true)
        let second = try await sweep()
        #expect(try state()[due].map { $0 == ("sent", 2) } == true, "never sent twice")
        #expect(try stack.sentEmails() == afterFirst + (second["notifications_sent"] ?? 0))
    }

    // MARK: helpers

    private func deploy(
        _ kloudID: String, into cloudAccount: UUID, action: String, as person: FunctionStack.Person
    ) async throws -> [String: Any] {
        let started = try await person.send(
            "POST", "/v1/klouds/\(kloudID)/deployments",
            ["cloud_account_id": cloudAccount.uuidString.lowercased(), "action": action])
        guard started.status == 202, let id = try started.object()["id"] as? String else {
            throw FunctionTestFailure("deployment not started: \(started.status) \(started.text)")
        }
        return try await finished(id, as: person)
    }

    private func finished(_ id: String, as person: FunctionStack.Person) async throws -> [String: Any] {
        var deployment: [String: Any] = [:]
        for _ in 0..<600 {
            deployment = try await person.send("GET", "/v1/deployments/\(id)").object()
            if let status = deployment["status"] as? String, !["queued", "running"].contains(status) {
                return deployment
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw FunctionTestFailure("deployment \(id) did not finish: \(deployment)")
    }
}
