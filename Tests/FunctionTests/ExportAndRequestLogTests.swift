import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// PP-rights, PP-logs and the sweep through the emulator: the export a person downloads, the
/// request log every function writes, and retention-sweep invoked as its schedule would.
@Suite(.serialized) struct ExportAndRequestLogTests {
    @Test func aPersonsExportHoldsTheirDataAndNoSecretAndNothingOfAnother() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let mine = try ExportSecrets.plant(in: stack.database, label: "mine")
        let theirs = try ExportSecrets.plant(in: stack.database, label: "theirs")
        let session = try stack.session(for: mine.accountID.uuidString)

        let answer = try await stack.client.send(
            "GET", "/v1/account/export", headers: ["Authorization": "Bearer \(session)"])
        let anonymous = try await stack.client.send("GET", "/v1/account/export")

        #expect(answer.status == 200)
        #expect(answer.headers["Content-Disposition"]?.contains("attachment") == true)
        let document = try answer.object()
        #expect(document["format"] as? String == "kloudhub-export/1")
        #expect((document["account"] as? [String: Any])?["id"] as? String == mine.accountID.uuidString.lowercased())
        for id in mine.exportedIDs { #expect(answer.text.contains(id.uuidString.lowercased()), "missing \(id)") }
        for id in theirs.exportedIDs { #expect(!answer.text.contains(id.uuidString.lowercased()), "shows \(id)") }
        for canary in mine.canaries + theirs.canaries { #expect(!answer.text.contains(canary), "shows a secret") }
        #expect(anonymous.status == 401)
    }

    @Test func everyFunctionLogsItsRequestsWithSecretsRedacted() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let session = try stack.session()
        let agent = "log-probe/" + UUID().uuidString
        let metadata = try await stack.client.send(
            "GET", "/.well-known/oauth-authorization-server", headers: ["User-Agent": agent])
        let account = try await stack.client.send(
            "GET", "/v1/account", headers: ["User-Agent": agent, "Authorization": "Bearer \(session)"])
        let export = try await stack.client.send(
            "GET", "/v1/account/export", headers: ["User-Agent": agent, "Cookie": "__session=\(session)"])
        let accountID = try #require(UUID(uuidString: try account.object()["id"] as? String ?? ""))
        #expect([metadata.status, account.status, export.status] == [Int](repeating: 200, count: 3))

        let maintenance = stack.database.client(as: .maintenance)
        var rows: [(String, UUID?, String, Int, PostgresJSON)] = []
        _ = try await stack.eventually {
            rows = try maintenance.query(
                """
                select function_name, account_id, path, status, headers from kloudhub.request_log
                where user_agent = \(agent) order by occurred_at
                """
            ).decode((String, UUID?, String, Int, PostgresJSON).self)
            return rows.count == 3
        }

        #expect(rows.map(\.0).sorted() == ["account-delete", "authorize", "token"])
        #expect(rows.first { $0.0 == "authorize" }?.1 == nil)
        #expect(rows.first { $0.0 == "token" }?.1 == accountID)
        #expect(rows.first { $0.0 == "account-delete" }?.1 == accountID)
        for row in rows {
            #expect(!row.4.text.contains(session))
            let headers = try row.4.decode([String: String].self)
            #expect(headers["user-agent"] == agent)
            if let value = headers["authorization"] ?? headers["cookie"] { #expect(value == "[redacted]") }
        }
    }

    @Test func theSweepCountsInADryRunAndRemovesWhenItRuns() async throws {
        let stack = try await FunctionStack.withLocalAWS.running()
        let person = try ExportSecrets.plant(in: stack.database, label: "sweep")
        let maintenance = stack.database.client(as: .maintenance)
        let key = person.fixture.id(in: .apiKeys)
        try maintenance.execute(
            "update kloudhub.api_keys set revoked_at = now() - interval '100 days' where id = \(key)")

        let dryRun = try await stack.invoke("retention-sweep", ["dryRun": true])
        let left = try maintenance.query("select count(*) from kloudhub.api_keys where id = \(key)").first?.decode(
            Int.self)
        let scheduled = try await stack.invoke(
            "retention-sweep",
            [
                "version": "0", "id": UUID().uuidString, "detail-type": "Scheduled Event", "source": "aws.events",
                "account": "000000000000", "time": "2026-05-01T12:00:00Z", "region": "us-east-1",
                "resources": [], "detail": [:],
            ])

        guard case .success(let dry) = dryRun, case .success(let real) = scheduled else {
            throw FunctionTestFailure("the sweep failed: \(dryRun) \(scheduled)")
        }
        let dryReport = try JSONDecoder().decode(SweepReport.self, from: dry)
        let report = try JSONDecoder().decode(SweepReport.self, from: real)
        #expect(dryReport.isDryRun && dryReport.hasLock)
        #expect(dryReport.counts["api_keys_purged", default: 0] >= 1)
        #expect(left == 1)
        #expect(!report.isDryRun && report.isComplete)
        #expect(report.counts["api_keys_purged", default: 0] >= 1)
        #expect(
            try maintenance.query("select count(*) from kloudhub.api_keys where id = \(key)").first?.decode(Int.self)
                == 0)
    }
}
