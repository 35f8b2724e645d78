import Crypto
import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// PP-delete end to end: the real account-delete, authorize and token binaries behind the
/// emulator, with Postgres and a local AWS.
@Suite(.serialized) struct AccountDeletionTests {
    /// A person with a row in every table, a working API key and objects in every bucket.
    struct Person {
        let data: ExportSecrets
        let session: String
        let apiKey: String

        var accountID: UUID { data.accountID }
    }

    func plantPerson(_ stack: FunctionStack.Running, label: String) async throws -> Person {
        let data = try ExportSecrets.plant(in: stack.database, label: label)
        let session = try stack.session(for: data.accountID.uuidString)
        let created = try await stack.client.json(
            "POST", "/v1/api-keys", ["name": "cli"], headers: ["Authorization": "Bearer \(session)"])
        guard created.status == 201, let key = try created.object()["key"] as? String else {
            throw FunctionTestFailure("key: \(created.status) \(created.text)")
        }
        let storage = try stack.buckets()
        for bucket in storage.buckets.values {
            for name in ["logs/run-1.txt", "state/terraform.tfstate"] {
                try await storage.s3.putObject(
                    bucket: bucket, key: AccountStorage.prefix(for: data.accountID) + name, body: Array("x".utf8))
            }
        }
        return Person(data: data, session: session, apiKey: key)
    }

    func rowsNaming(_ account: UUID, in stack: FunctionStack.Running) throws -> Int {
        try stack.database.rowsNaming(account).values.reduce(0, +)
    }

    func objects(of account: UUID, in stack: FunctionStack.Running) async throws -> Int {
        var count = 0
        let storage = try stack.buckets()
        for bucket in storage.buckets.values {
            count += try await storage.s3.listAllObjects(
                bucket: bucket, prefix: AccountStorage.prefix(for: account)
            )
            .count
        }
        return count
    }

    func isErased(_ account: UUID, in stack: FunctionStack.Running) async throws -> Bool {
        let objectsLeft = try await objects(of: account, in: stack)
        return try rowsNaming(account, in: stack) == 0 && objectsLeft == 0
    }

    func deleteRequest(_ stack: FunctionStack.Running, session: String, body: Any?) async throws -> HTTPResponse {
        let headers = ["Authorization": "Bearer \(session)"]
        guard let body else { return try await stack.client.send("DELETE", "/v1/account", headers: headers) }
        return try await stack.client.json("DELETE", "/v1/account", body, headers: headers)
    }

    // MARK: - Deleting

    @Test func refusesADeletionWithoutConfirmationOrSignInAndChangesNothing() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let person = try await plantPerson(stack, label: "unconfirmed")

        let empty = try await deleteRequest(stack, session: person.session, body: [String: String]())
        let wrong = try await deleteRequest(stack, session: person.session, body: ["confirmation": "yes"])
        let noBody = try await deleteRequest(stack, session: person.session, body: nil)
        let anonymous = try await stack.client.json("DELETE", "/v1/account", ["confirmation": "delete my account"])
        let withKey = try await stack.client.json(
            "DELETE", "/v1/account", ["confirmation": "delete my account"],
            headers: ["Authorization": "Bearer \(person.apiKey)"])

        #expect(empty.status == 400)
        #expect(try empty.object()["error"] as? String == "confirmation_required")
        #expect(wrong.status == 400)
        #expect(noBody.status == 415)
        #expect(anonymous.status == 401)
        #expect(withKey.status == 401)
        let account = try await stack.client.send(
            "GET", "/v1/account", headers: ["Authorization": "Bearer \(person.apiKey)"])
        #expect(account.status == 200)
        #expect(try await objects(of: person.accountID, in: stack) == 2 * stack.buckets().buckets.count)
    }

    @Test func deletionEndsAccessAtOnceAndErasesEverythingOfThatAccountOnly() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let person = try await plantPerson(stack, label: "leaving")
        let other = try await plantPerson(stack, label: "staying")
        let otherRows = try rowsNaming(other.accountID, in: stack)

        let answer = try await deleteRequest(
            stack, session: person.session, body: ["confirmation": "delete my account"])
        let keyAfter = try await stack.client.send(
            "GET", "/v1/account", headers: ["Authorization": "Bearer \(person.apiKey)"])

        #expect(answer.status == 202)
        let body = try answer.object()
        #expect((body["message"] as? String)?.contains("Access ended now") == true)
        #expect(body["eraseBy"] as? String != nil)
        #expect((body["completedSteps"] as? [String])?.contains("access_revoked") == true)
        #expect(keyAfter.status == 401)
        #expect(try await stack.eventually { try await isErased(person.accountID, in: stack) })
        #expect(try rowsNaming(other.accountID, in: stack) == otherRows)
        #expect(try await objects(of: other.accountID, in: stack) == 2 * stack.buckets().buckets.count)
        let otherKey = try await stack.client.send(
            "GET", "/v1/account", headers: ["Authorization": "Bearer \(other.apiKey)"])
        #expect(otherKey.status == 200)
        #expect(try completedRecord(of: person.accountID, in: stack) != nil)
    }

    /// The completed record whose salted hash is the account's.
    func completedRecord(of account: UUID, in stack: FunctionStack.Running) throws -> [String: Int]? {
        let rows = try stack.database.client(as: .maintenance).query(
            "select account_id_salt, account_id_hash, summary from kloudhub.deletion_records where status = 'completed'"
        )
        for row in rows {
            let (salt, hash, summary) = try row.decode((Data, Data, PostgresJSON).self)
            if Data(SHA256.hash(data: Array(salt) + Array(account.uuidString.lowercased().utf8))) == hash {
                return try summary.decode([String: Int].self)
            }
        }
        return nil
    }

    // MARK: - Crashes

    func eraseJob(_ account: UUID, crashAfter step: ErasureStep?) -> [String: Any] {
        var payload: [String: Any] = ["accountId": account.uuidString.lowercased(), "reason": "user_request"]
        if let step { payload["crashAfterStep"] = step.rawValue }
        return ["job": "account.erase", "id": account.uuidString.lowercased(), "attempt": 1, "payload": payload]
    }

    @Test func aCrashBetweenAnyTwoStepsEndsTheSameAfterARerun() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let reference = try await plantPerson(stack, label: "reference")
        guard case .success = try await stack.invoke("account-delete", eraseJob(reference.accountID, crashAfter: nil))
        else { throw FunctionTestFailure("the reference erasure failed") }
        let expected = try #require(try completedRecord(of: reference.accountID, in: stack))

        for step in ErasureStep.allCases.dropLast() {
            let person = try await plantPerson(stack, label: "crash-\(step.rawValue)")
            let crashed = try await stack.invoke("account-delete", eraseJob(person.accountID, crashAfter: step))
            let steps = try stack.database.client(as: .maintenance).query(
                "select progress from kloudhub.deletion_records where account_id = \(person.accountID) and status <> 'completed'"
            ).first?.decode(PostgresJSON.self).decode([String: String].self).keys.sorted()
            let rerun = try await stack.invoke("account-delete", eraseJob(person.accountID, crashAfter: nil))
            let again = try await stack.invoke("account-delete", eraseJob(person.accountID, crashAfter: nil))

            guard case .failure = crashed else { throw FunctionTestFailure("no crash after \(step)") }
            #expect(steps == ErasureStep.allCases.filter { $0 <= step }.map(\.rawValue).sorted(), "after \(step)")
            guard case .success(let output) = rerun, case .success(let repeated) = again else {
                throw FunctionTestFailure("the rerun after \(step) failed")
            }
            #expect(String(decoding: output, as: UTF8.self).contains("\"completed\""))
            #expect(String(decoding: repeated, as: UTF8.self).contains("nothing_to_erase"))
            #expect(try await isErased(person.accountID, in: stack), "after a crash at \(step)")
            #expect(try completedRecord(of: person.accountID, in: stack) == expected, "counts after \(step)")
        }
    }

    // MARK: - Clerk's webhook

    func webhook(
        _ stack: FunctionStack.Running, userID: String, secret: String? = nil, age: Int64 = 0
    ) throws
        -> (body: String, headers: [String: String])
    {
        let body = #"{"type":"user.deleted","data":{"id":"\#(userID)","deleted":true,"object":"user"}}"#
        let verifier = try WebhookVerifier(secret: secret ?? stack.webhookSecret)
        let id = "msg_" + UUID().uuidString
        let timestamp = Int64(Date().timeIntervalSince1970) - age
        return (
            body,
            [
                "svix-id": id, "svix-timestamp": String(timestamp),
                "svix-signature": verifier.signature(id: id, timestamp: timestamp, body: Array(body.utf8)),
                "Content-Type": "application/json",
            ]
        )
    }

    @Test func clerksUserDeletedHandsTheAccountToAccountDelete() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let person = try await plantPerson(stack, label: "clerk")
        let (body, headers) = try webhook(stack, userID: "user_" + person.accountID.uuidString)

        let answer = try await stack.client.send("POST", "/webhooks/clerk", headers: headers, body: body)

        #expect(answer.status == 200)
        #expect(try answer.object()["action"] as? String == "deletion_requested")
        let keyAfter = try await stack.client.send(
            "GET", "/v1/account", headers: ["Authorization": "Bearer \(person.apiKey)"])
        #expect(keyAfter.status == 401)
        #expect(try await stack.eventually { try await isErased(person.accountID, in: stack) })
    }

    @Test func anUnsignedForgedOrStaleWebhookChangesNothing() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let person = try await plantPerson(stack, label: "forged")
        let userID = "user_" + person.accountID.uuidString
        let forger = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let (body, signed) = try webhook(stack, userID: userID)
        var unsigned = signed
        unsigned["svix-signature"] = nil
        let forged = try webhook(stack, userID: userID, secret: forger)
        let stale = try webhook(stack, userID: userID, age: 3600)

        for headers in [unsigned, forged.headers, stale.headers] {
            let answer = try await stack.client.send("POST", "/webhooks/clerk", headers: headers, body: body)
            #expect(answer.status == 401)
        }
        let account = try await stack.client.send(
            "GET", "/v1/account", headers: ["Authorization": "Bearer \(person.apiKey)"])
        #expect(account.status == 200)
        #expect(try rowsNaming(person.accountID, in: stack) > 0)
    }
}
