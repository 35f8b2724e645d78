import Foundation
import KloudCore
import KloudTestSupport
import LambdaRuntime
import Testing

@testable import mcp

/// PP-mcp-data: distinctive values planted in every place a secret lives, for two accounts, and
/// every tool called with every argument the account's data suggests; no answer holds any of them.
@Suite(.database, .serialized) struct SecretCanaryTests {
    let database: TestDatabase
    let accounts: [PlantedSecrets]

    init() throws {
        let database = try TestDatabase.required()
        self.database = database
        accounts = try ["first", "second"].map { try PlantedSecrets.insert(into: database, label: $0) }
    }

    @Test func noToolAnswerHoldsAnyPlantedSecret() async throws {
        let canaries = accounts.flatMap(\.canaries)
        var calls = 0
        for account in accounts {
            let ids = accounts.flatMap(\.rowIDs)
            for tool in ToolCatalog.standard.tools {
                for arguments in argumentSets(for: tool, ids: ids) {
                    for answer in try await answers(of: tool, arguments, as: account.accountID) {
                        calls += 1
                        for canary in canaries {
                            #expect(!answer.contains(canary), "\(tool.name) \(arguments) shows a planted secret")
                        }
                    }
                }
            }
        }
        #expect(calls > 500)
    }

    @Test func plantedSecretsAreWhereTheToolsRead() async throws {
        let kloud = try await answers(
            of: try #require(ToolCatalog.standard.tool(named: "get_kloud")),
            ["kloud_id": .string(accounts[0].data.fixture.id(in: .klouds).uuidString)],
            as: accounts[0].accountID)
        #expect(kloud.joined().contains("[redacted]"))
        let clouds = try await answers(
            of: try #require(ToolCatalog.standard.tool(named: "list_cloud_accounts")), [:],
            as: accounts[0].accountID)
        #expect(clouds.joined().contains("Canary role account"))
    }

    /// The columns the tools show as they are hold codes only: a log line is refused there.
    @Test func anErrorCodeCannotHoldALogLine() async throws {
        let account = accounts[0].data.fixture
        let worker = database.client(as: .worker)
        let logLine = "AccessDenied: AKIAFAKECANARY123456 not authorized"
        for (table, column) in [
            ("scans", "error_code"), ("deployments", "error_code"), ("analyses", "error_code"),
            ("cloud_accounts", "last_error_code"),
        ] {
            let row = account.id(in: AccountOwnedTable(rawValue: table)!)
            #expect(throws: PostgresError.self, "\(table).\(column)") {
                try worker.transaction(scopedTo: account.accountID) { transaction in
                    try transaction.execute(
                        "update kloudhub.\(identifier: table) set \(identifier: column) = \(logLine) where id = \(row)")
                }
            }
            try worker.transaction(scopedTo: account.accountID) { transaction in
                try transaction.execute(
                    "update kloudhub.\(identifier: table) set \(identifier: column) = 'Client.UnauthorizedOperation' where id = \(row)"
                )
            }
        }
    }

    // MARK: - Calling the tools

    /// Every complete answer of `tool` to `arguments`, following `next_cursor` to the last page:
    /// the text and structured content as one JSON document, or the failure's message.
    func answers(of tool: Tool, _ arguments: [String: JSONValue], as account: UUID) async throws -> [String] {
        let context = ToolContext(accountID: account, database: database.client(as: .api))
        var pages: [String] = []
        var arguments = arguments
        while pages.count < 50 {
            let output: ToolOutput
            do {
                output = try await tool.run(try tool.input.validate(arguments), context)
            } catch let failure as ToolFailure {
                return pages + [failure.message]
            }
            let result = try MCPServer.result(of: output, version: .november2025)
            let page = String(decoding: try JSONStreamEncoder().encode(result), as: UTF8.self)
            pages.append(page)
            guard case .object(let structured)? = try result.structuredContent?.decoded(),
                case .string(let cursor)? = structured["next_cursor"]
            else { break }
            arguments["cursor"] = .string(cursor)
        }
        return pages
    }

    /// No arguments, then each argument alone with every value that selects something: every
    /// row id of both accounts for ids, every choice, the smallest and largest page. A tool with
    /// several required arguments gets each value of each, the others at their first value.
    func argumentSets(for tool: Tool, ids: [UUID]) -> [[String: JSONValue]] {
        let required = tool.input.properties.filter(\.isRequired)
        var sets: [[String: JSONValue]] = required.isEmpty ? [[:]] : []
        var others: [String: JSONValue] = [:]
        for property in required { others[property.name] = values(of: property, ids: ids).first }
        for property in tool.input.properties {
            let values = values(of: property, ids: ids)
            if property.isRequired || required.isEmpty {
                sets += values.map { others.merging([property.name: $0]) { _, this in this } }
            }
        }
        return sets
    }

    func values(of property: InputSchema.Property, ids: [UUID]) -> [JSONValue] {
        let values: [JSONValue]
        switch property.kind {
        case .uuid: values = ids.map { .string($0.uuidString) }
        case .oneOf(let choices): values = choices.map { .string($0) }
        case .string:
            values = [
                "eu-west-1", "us-east-1", "global", "ec2:instance", "ec2:volume", "rds:db", "s3:bucket",
                "idle_instance", "unattached_volume",
            ]
        case .integer(let minimum, let maximum, _): values = [.number(Double(minimum)), .number(Double(maximum))]
        case .money: values = ["0", "10", "40"]
        case .cursor: values = []
        }
        return values
    }
}

/// One account's ``MCPAccountData`` with a secret planted in every column that holds one, each
/// written by the role that writes it in production.
struct PlantedSecrets {
    let data: MCPAccountData
    /// The ids of every row the account owns, for the tools' id arguments.
    let rowIDs: [UUID]
    /// Every planted value, in each form a leak could take (hex, base64, text).
    let canaries: [String]

    var accountID: UUID { data.accountID }

    static func insert(into database: TestDatabase, label: String) throws -> PlantedSecrets {
        let data = try MCPAccountData.insert(into: database, label: label)
        let fixture = data.fixture
        let account = fixture.accountID
        let ciphertext = randomBytes(48)
        let dataKey = randomBytes(64)
        let keyHash = randomBytes(32)
        let codeHash = randomBytes(32)
        let clientSecretHash = randomBytes(32)
        let externalID = "canary-external-id-\(label)-\(UUID().uuidString)"
        let accessKey = "AKIAFAKECANARY" + (label == "first" ? "123456" : "654321")
        let secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARY\(label)KEY"
        let logLine = "export AWS_ACCESS_KEY_ID=\(accessKey) AWS_SECRET_ACCESS_KEY=\(secretKey)"
        let roleAccount = UUID()
        let clientID = "canary-client-\(label)-\(UUID().uuidString.prefix(8))"

        try database.client(as: .api).execute(
            """
            insert into kloudhub.oauth_clients (client_id, client_name, registration_kind, redirect_uris,
                                       token_endpoint_auth_method, client_secret_hash)
            values (\(clientID), 'Canary client', 'dynamic', \(["https://client.example/callback"]),
                    'client_secret_basic', \(clientSecretHash))
            """)
        try database.client(as: .api).transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.api_keys (account_id, kind, name, key_hash, display_prefix, scopes)
                values (\(account), 'api', 'canary key', \(keyHash), 'kh_live_cn', \(["read"]))
                """)
            try transaction.execute(
                """
                insert into kloudhub.oauth_codes (account_id, code_hash, client_id, redirect_uri, code_challenge, scopes,
                                         expires_at)
                values (\(account), \(codeHash), \(clientID), 'https://client.example/callback',
                        'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', \(["mcp"]), now() + interval '5 minutes')
                """)
        }
        try database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.cloud_accounts set credential_ciphertext = \(ciphertext), encrypted_data_key = \(dataKey)
                where id = \(fixture.id(in: .cloudAccounts))
                """)
            try transaction.execute(
                """
                insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn,
                                            external_id, status)
                values (\(roleAccount), \(account), '210987654321', 'Canary role account', 'us-east-1', 'role',
                        'arn:aws:iam::210987654321:role/KloudHubScanner', \(externalID), 'connected')
                """)
            try transaction.execute(
                """
                update kloudhub.deployments set progress = \(PostgresJSON(text: #"{"log": "\#(logLine)"}"#)),
                                       log_s3_key = \("logs/" + accessKey), state_s3_key = \("state/" + secretKey)
                where id = \(fixture.id(in: .deployments))
                """)
            try transaction.execute(
                """
                update kloudhub.scans set progress = \(PostgresJSON(text: #"{"last_log_line": "\#(logLine)"}"#))
                where id = \(fixture.id(in: .scans))
                """)
            try transaction.execute(
                """
                update kloudhub.shells set image = \("registry.example/" + accessKey), container_id = \(secretKey)
                where id = \(fixture.id(in: .shells))
                """)
            try transaction.execute(
                """
                update kloudhub.analyses set result_s3_key = \("analyses/" + secretKey) where id = \(fixture.id(in: .analyses))
                """)
        }
        let byteCanaries = [ciphertext, dataKey, keyHash, codeHash, clientSecretHash, fixture.apiKeyHash]
        let textCanaries = [externalID, accessKey, secretKey, data.sensitiveCanary]
        return PlantedSecrets(
            data: data,
            rowIDs: AccountOwnedTable.allCases.map { fixture.id(in: $0) } + data.resourceIDs + [roleAccount],
            canaries: textCanaries + byteCanaries.flatMap(Self.encodings))
    }

    /// The forms bytes take in text: hex either case, base64 and base64url (without padding).
    static func encodings(of bytes: [UInt8]) -> [String] {
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined()
        let base64 = Data(bytes).base64EncodedString().trimmingCharacters(in: ["="])
        let base64URL = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return [hex, hex.uppercased(), base64, base64URL]
    }
}
