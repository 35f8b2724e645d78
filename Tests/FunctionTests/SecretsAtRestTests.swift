import Foundation
import KloudCore
import KloudLocal
import Testing

/// PP-keys: what KloudHub issues is stored only as hashes. Every kind of secret is issued
/// through the functions, then a full dump of the database (which holds every other test's
/// rows too) is searched for each raw value.
@Suite struct SecretsAtRestTests {
    @Test func aDatabaseDumpHoldsNoRawKeyTokenCodeOrClientSecret() async throws {
        let stack = try await FunctionStack.shared.running()
        let flow = try ConnectorFlow(stack: stack)
        let redirect = "https://claude.ai/api/mcp/auth_callback"
        var issued: [String] = []
        let confidential = try await flow.register(redirect: redirect, authMethod: "client_secret_post")
        let clientID = confidential["client_id"] as! String
        issued.append(confidential["client_secret"] as! String)
        let code = try await flow.code(clientID: clientID, redirect: redirect)
        issued.append(code)
        let exchange = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "authorization_code"), ("code", code), ("client_id", clientID),
                ("client_secret", issued[0]), ("redirect_uri", redirect), ("code_verifier", ConnectorFlow.verifier),
            ])
        let tokens = try exchange.object()
        issued += [tokens["access_token"] as! String, tokens["refresh_token"] as! String]
        let rotated = try await flow.gateway.form(
            "/oauth/token",
            [
                ("grant_type", "refresh_token"), ("refresh_token", issued[3]), ("client_id", clientID),
                ("client_secret", issued[0]),
            ]
        ).object()
        issued += [rotated["access_token"] as! String, rotated["refresh_token"] as! String]
        let key = try await flow.gateway.json("POST", "/v1/api-keys", ["name": "dump"], headers: flow.sessionBearer)
        issued.append(try key.object()["key"] as! String)
        #expect(issued.count == 7 && issued.allSatisfy { $0.count == 47 })

        let dump = try await Self.dump(stack)
        #expect(dump.contains("COPY kloudhub.api_keys"), "the dump covers the keys table")
        for secret in issued {
            #expect(!dump.contains(secret), "raw \(secret.prefix(4))… found in the dump")
            #expect(!dump.contains(String(secret.dropFirst(4))), "the random part of \(secret.prefix(4))… found")
        }
        #expect(dump.contains(String(issued[6].prefix(12))), "the display prefix is what is kept")
    }

    static func dump(_ stack: FunctionStack.Running) async throws -> String {
        let connection = stack.database.setup.adminConnectionString.setting(["dbname": stack.database.name])
        let outcome = try await CommandRunner.run(
            URL(fileURLWithPath: try pgDump()), ["--data-only", "--no-owner", "--dbname", connection.conninfo])
        guard outcome.status == 0 else {
            throw FunctionTestFailure("pg_dump failed: \(String(decoding: outcome.errorOutput, as: UTF8.self))")
        }
        return outcome.text
    }

    static func pgDump() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let folders =
            (ProcessInfo.processInfo.environment["KLOUDHUB_POSTGRES_BIN"].map { [$0] } ?? [])
            + versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let found = folders.map({ $0 + "/pg_dump" }).first(where: FileManager.default.isExecutableFile) else {
            throw FunctionTestFailure("pg_dump not found")
        }
        return found
    }
}
