import Foundation
import KloudCore
import KloudTestSupport
import LambdaRuntime
import Testing

@testable import mcp

/// The tools' queries against the real schema, as the API role, with two accounts' data.
@Suite(.database, .serialized) struct ToolQueryTests {
    let database: TestDatabase
    let first: MCPAccountData
    let second: MCPAccountData

    init() throws {
        database = try TestDatabase.required()
        first = try MCPAccountData.insert(into: database, label: "first")
        second = try MCPAccountData.insert(into: database, label: "second")
    }

    /// Calls `name` for `account` and returns its structured content.
    func call(
        _ name: String, _ arguments: [String: JSONValue] = [:], as account: UUID? = nil
    ) async throws -> [String: Any] {
        let tool = try #require(ToolCatalog.standard.tool(named: name))
        let validated = try tool.input.validate(arguments)
        let context = ToolContext(accountID: account ?? first.accountID, database: database.client(as: .api))
        let output = try await tool.run(validated, context)
        let result = try MCPServer.result(of: output, version: .november2025)
        let data = Data(try #require(result.structuredContent).bytes)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func listsResourcesMostExpensiveFirstAcrossPages() async throws {
        var seen: [String] = []
        var costs: [String] = []
        var cursor: String?
        repeat {
            var arguments: [String: JSONValue] = ["limit": 2]
            if let cursor { arguments["cursor"] = .string(cursor) }
            let page = try await call("list_resources", arguments)
            let resources = try #require(page["resources"] as? [[String: Any]])
            #expect(resources.count <= 2)
            seen += resources.compactMap { $0["id"] as? String }
            costs += resources.compactMap { $0["monthly_cost"] as? String }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        #expect(seen == first.resourceIDs.map(\.uuidString))
        #expect(costs == MCPAccountData.costs)
    }

    @Test func filtersResourcesByTypeRegionAndMinimumCost() async throws {
        let byType = try await call("list_resources", ["resource_type": "ec2:instance"])
        #expect((byType["resources"] as? [[String: Any]])?.count == 1)
        let byRegion = try await call("list_resources", ["region": "us-east-1"])
        #expect(
            (byRegion["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["orders", "scratch"])
        let expensive = try await call("list_resources", ["min_monthly_cost": 40])
        #expect((expensive["resources"] as? [[String: Any]])?.count == 3)
    }

    /// An earlier scan's resources are kept (PP-data) but the lists show the latest scan only.
    @Test func listsShowTheLatestScanOnly() async throws {
        let cloudAccount = first.fixture.id(in: .cloudAccounts)
        try database.client(as: .worker).transaction(scopedTo: first.accountID) { transaction in
            let earlier = UUID()
            try transaction.execute(
                """
                insert into kloudhub.scans (id, account_id, cloud_account_id, regions, created_at)
                values (\(earlier), \(first.accountID), \(cloudAccount), \(["eu-west-1"]), now() - interval '1 day')
                """)
            try transaction.execute(
                """
                insert into kloudhub.resources (account_id, cloud_account_id, scan_id, arn, resource_type, name, region,
                                       monthly_cost)
                values (\(first.accountID), \(cloudAccount), \(earlier), 'arn:aws:ec2:eu-west-1:1:instance/i-gone',
                        'ec2:instance', 'gone', 'eu-west-1', \(Money("999.00")!))
                """)
        }
        let page = try await call("list_resources", ["resource_type": "ec2:instance"])
        #expect((page["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["web"])
        let costs = try await call("get_cost_summary")
        #expect(costs["total_monthly_cost"] as? String == "199.75")
    }

    /// Field names are snake_case; a resource's tag keys stay as AWS holds them.
    @Test func keepsTagKeysAsTheyAre() async throws {
        let page = try await call("list_resources", ["resource_type": "ec2:instance"])
        let resource = try #require((page["resources"] as? [[String: Any]])?.first)
        #expect(resource["tags"] as? [String: String] == ["CostCenter": "first"])
        #expect(resource["monthly_cost"] != nil && resource["resource_type"] != nil)
    }

    @Test func summarizesCostByServiceRegionAndCloudAccount() async throws {
        let byService = try await call("get_cost_summary")
        #expect(byService["total_monthly_cost"] as? String == "199.75")
        #expect(byService["resource_count"] as? Int == 5)
        let groups = try #require(byService["groups"] as? [[String: Any]])
        #expect(groups.compactMap { $0["key"] as? String } == ["ec2", "rds", "s3"])
        #expect(groups.compactMap { $0["monthly_cost"] as? String } == ["119.75", "40.00", "40.00"])
        let byAccount = try await call("get_cost_summary", ["group_by": "cloud_account"])
        let accounts = try #require(byAccount["groups"] as? [[String: Any]])
        #expect(accounts.count == 1)
        #expect(accounts.first?["name"] as? String == "Production")
    }

    @Test func listsWasteFindingsBySavingWithTheirTotal() async throws {
        let page = try await call("list_waste_findings", ["limit": 2])
        #expect(page["total_monthly_saving"] as? String == "119.75")
        #expect(page["total_count"] as? Int == 3)
        let findings = try #require(page["findings"] as? [[String: Any]])
        #expect(findings.compactMap { $0["monthly_saving"] as? String } == ["100.00", "12.50"])
        let rest = try await call(
            "list_waste_findings", ["limit": 2, "cursor": .string(try #require(page["next_cursor"] as? String))])
        #expect((rest["findings"] as? [[String: Any]])?.compactMap { $0["monthly_saving"] as? String } == ["7.25"])
        #expect(rest["next_cursor"] == nil)
        let volumes = try await call("list_waste_findings", ["rule": "unattached_volume", "min_monthly_saving": "10"])
        #expect(volumes["total_count"] as? Int == 1)
    }

    @Test func redactsSensitiveKloudVariables() async throws {
        let kloud = try await call("get_kloud", ["kloud_id": .string(first.fixture.id(in: .klouds).uuidString)])
        let variables = try #require(kloud["variables"] as? [String: [String: Any]])
        #expect(variables["db_password"]?["default"] as? String == "[redacted]")
        #expect(variables["size"]?["default"] as? String == "t3.micro")
        #expect((kloud["files"] as? [[String: Any]])?.first?["content"] as? String == "terraform {}")
    }

    @Test func neverShowsCredentialsOfCloudAccounts() async throws {
        let listing = try await call("list_cloud_accounts")
        let account = try #require((listing["cloud_accounts"] as? [[String: Any]])?.first)
        #expect(account["aws_account_id"] as? String == "123456789012")
        for key in account.keys {
            #expect(!["credential_ciphertext", "encrypted_data_key", "kms_key_id", "external_id"].contains(key))
        }
    }

    @Test func accountSeesOnlyItsOwnRows() async throws {
        let lists: [(String, String)] = [
            ("list_cloud_accounts", "cloud_accounts"), ("list_resources", "resources"),
            ("list_waste_findings", "findings"), ("list_scans", "scans"), ("list_klouds", "klouds"),
            ("list_deployments", "deployments"), ("list_shells", "shells"), ("list_analyses", "analyses"),
        ]
        for account in [first, second] {
            let other = account.accountID == first.accountID ? second : first
            let othersIDs = Set(AccountOwnedTable.allCases.map { other.fixture.id(in: $0).uuidString })
                .union(other.resourceIDs.map(\.uuidString))
            for (tool, key) in lists {
                let items = try #require(
                    try await call(tool, ["limit": 100], as: account.accountID)[key] as? [[String: Any]])
                #expect(!items.isEmpty, "\(tool) shows the account's own rows")
                for item in items {
                    #expect(!othersIDs.contains(item["id"] as? String ?? ""), "\(tool) shows another account's row")
                }
            }
            let gets: [(String, String, AccountOwnedTable)] = [
                ("get_scan", "scan_id", .scans), ("get_kloud", "kloud_id", .klouds),
                ("get_deployment", "deployment_id", .deployments), ("get_analysis", "analysis_id", .analyses),
            ]
            for (tool, argument, table) in gets {
                await #expect(throws: ToolFailure.self) {
                    _ = try await call(
                        tool, [argument: .string(other.fixture.id(in: table).uuidString)], as: account.accountID)
                }
                _ = try await call(
                    tool, [argument: .string(account.fixture.id(in: table).uuidString)], as: account.accountID)
            }
            let costs = try await call("get_cost_summary", as: account.accountID)
            #expect(costs["total_monthly_cost"] as? String == "199.75")
        }
    }

    @Test func refusesArgumentsOutsideTheSchema() async throws {
        let tool = try #require(ToolCatalog.standard.tool(named: "list_resources"))
        #expect(throws: ArgumentError.self) { try tool.input.validate(["limit": "ten"]) }
        #expect(throws: ArgumentError.self) { try tool.input.validate(["limit": 0]) }
        #expect(throws: ArgumentError.self) { try tool.input.validate(["cloud_account_id": "not-a-uuid"]) }
        #expect(throws: ArgumentError.self) { try tool.input.validate(["colour": "blue"]) }
        await #expect(throws: ToolFailure.self) { _ = try await call("list_resources", ["cursor": "garbage"]) }
    }
}
