import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// A warm function whose database connection died answers within its own time limit: after
/// `pg_terminate_backend` it reconnects at once; when the connection went silent (a freeze and
/// thaw behind a NAT or pooler: no FIN, no answer) it answers 503 with `Retry-After` before
/// Lambda's deadline, instead of being killed and leaving the caller a 502 or a hung request.
@Suite(.serialized) struct InvocationDeadlineEndToEndTests {
    @Test func aWarmFunctionWhoseBackendWasTerminatedAnswersAtOnce() async throws {
        let stack = try await FunctionStack.shared.running()
        let person = try stack.person()
        #expect(try await person.send("GET", "/v1/account").status == 200)
        // As the cluster's superuser: ending another role's backend takes that.
        let admin = PostgresClient(
            configuration: .init(connectionString: stack.database.setup.adminConnectionString.conninfo))
        let terminated =
            try admin.query(
                """
                select count(*)::bigint from (select pg_terminate_backend(pid) from pg_stat_activity
                                              where datname = \(stack.database.name) and usename::text like '%api') ended
                """
            ).first?.decode(Int.self) ?? 0
        #expect(terminated > 0, "the warm instances' connections were there to end")
        let started = ContinuousClock.now

        let answer = try await person.send("GET", "/v1/account")

        #expect(answer.status == 200, "\(answer.text)")
        #expect(ContinuousClock.now - started < .seconds(10), "within the function's own limit")
    }

    @Test func aWarmFunctionWhoseConnectionWentSilentAnswers503BeforeItsDeadline() async throws {
        let stack = try await FunctionStack.shared.running()
        let person = try stack.person()
        let port = try #require(
            Int(try PostgresConnectionString(stack.database.connectionString(for: .api))["port"] ?? ""))
        let forwarder = try FreezableTCPForwarder(toPort: port)
        defer { forwarder.stop() }
        var urls: [DatabaseRole: String] = [:]
        for role in [DatabaseRole.api, .worker, .maintenance] {
            urls[role] = try PostgresConnectionString(stack.database.connectionString(for: role))
                .setting(["host": "127.0.0.1", "port": String(forwarder.port)]).conninfo
        }
        // token alone, with a 4-second limit, its database reached through the forwarder.
        let answers = try await FunctionStack.withShortTimeout("token", timeout: 4, on: stack) { configuration in
            try await configuration.deploy(
                on: try await SharedLocalAWS.common(), databaseURLs: urls, installation: stack.database.name + "_silent"
            )
        } _: { gateway in
            let headers = ["Authorization": "Bearer \(person.key)"]
            let warm = try await gateway.send("GET", "/v1/account", headers: headers)
            forwarder.freeze()
            let started = ContinuousClock.now
            let silent = try await gateway.send("GET", "/v1/account", headers: headers)
            let waited = ContinuousClock.now - started
            forwarder.thaw()
            let after = try await gateway.send("GET", "/v1/account", headers: headers)
            return (warm, silent, waited, after)
        }

        #expect(answers.0.status == 200)
        #expect(answers.1.status == 503, "\(answers.1.text)")
        #expect((try? answers.1.object())?["error"] as? String == "temporarily_unavailable")
        #expect(answers.1.headers["Retry-After"] != nil)
        #expect(answers.2 < .seconds(4), "answered within the function's own limit, after \(answers.2)")
        #expect(answers.3.status == 200, "a later request reconnects: \(answers.3.text)")
    }
}
