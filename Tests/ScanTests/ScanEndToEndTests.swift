import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// The scan function's real binary behind the emulator, on the seeded local AWS: a person
/// connects the customer account by role, checks it, starts a scan that runs by async invoke,
/// and reads the result; and every kind of bad input is refused with nothing saved.
@Suite(.serialized) struct ScanEndToEndTests {
    let stack: ScanStack.Running

    init() async throws {
        stack = try await ScanStack.shared.running()
    }

    @Test func connectsByRoleVerifiesAndScansThroughAsyncInvoke() async throws {
        let (_, key) = try stack.newAccount(scopes: [.read, .write])
        let customer = stack.estate.aws.seed.demoCustomer
        let created = try await stack.call(
            "POST", "/v1/cloud-accounts", key: key,
            json: ["name": "production", "region": "us-east-1", "role_arn": customer.roleARN])
        #expect(created.status == 201)
        #expect(created.json["status"] as? String == "pending")
        let externalID = try #require(created.json["external_id"] as? String)
        #expect(externalID.hasPrefix("kloudhub-") && externalID.count > 30)
        let policy = try #require(created.json["trust_policy"] as? [String: Any])
        #expect("\(policy)".contains(externalID) && "\(policy)".contains(stack.estate.aws.seed.accountID))
        let id = try #require(created.json["id"] as? String)

        let early = try await stack.call("POST", "/v1/cloud-accounts/\(id)/scans", key: key, json: [:])
        #expect(early.status == 404)

        let verified = try await stack.call("POST", "/v1/cloud-accounts/\(id)/verify", key: key)
        #expect(verified.status == 200)
        #expect(verified.json["status"] as? String == "connected")
        #expect(verified.json["aws_account_id"] as? String == customer.accountID)

        let started = try await stack.call(
            "POST", "/v1/cloud-accounts/\(id)/scans", key: key, json: ["regions": EstateScanTests.regions],
            headers: ["Idempotency-Key": "first-scan"])
        #expect(started.status == 202)
        let scanID = try #require(started.json["id"] as? String)
        let repeated = try await stack.call(
            "POST", "/v1/cloud-accounts/\(id)/scans", key: key, json: ["regions": EstateScanTests.regions],
            headers: ["Idempotency-Key": "first-scan"])
        #expect(repeated.json["id"] as? String == scanID)

        var scan: [String: Any] = [:]
        var shown = ""
        for _ in 0..<240 {
            let response = try await stack.call("GET", "/v1/scans/\(scanID)", key: key)
            (scan, shown) = (response.json, response.text)
            if let status = scan["status"] as? String, status != "queued", status != "running" { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(scan["status"] as? String == "succeeded", "\(shown)")
        #expect(scan["units_done"] as? Int == scan["units_total"] as? Int)
        // Costs do not depend on the time; findings do, and this scan judges by today rather
        // than by the estate's as-of time, so only their presence is checked here.
        #expect(scan["resource_count"] as? Int == stack.estate.expected.resources.count)
        #expect(Money(scan["total_monthly_cost"] as? String ?? "") == Money(stack.estate.expected.totalCost))
        #expect((scan["finding_count"] as? Int ?? 0) > 0)
    }

    /// MCP's start_scan (write scope) hands the scan to the scan function the same way.
    @Test func startsAScanFromMCP() async throws {
        let (account, key) = try stack.newAccount(scopes: [.read, .write])
        let (_, readOnly) = try stack.newAccount(scopes: [.read])
        let cloudAccount = try stack.connectCustomer(to: account)
        let call: [String: Any] = [
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": [
                "name": "start_scan",
                "arguments": ["cloud_account_id": cloudAccount.uuidString.lowercased(), "regions": "eu-west-1"],
            ],
        ]
        let mcpHeaders = ["Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"]
        let refused = try await stack.call("POST", "/mcp", key: readOnly, json: call, headers: mcpHeaders)
        #expect(refused.status == 403)
        let started = try await stack.call("POST", "/mcp", key: key, json: call, headers: mcpHeaders)
        let result = try #require(started.json["result"] as? [String: Any], "\(started.text)")
        #expect(result["isError"] as? Bool == false)
        let scanID = try #require((result["structuredContent"] as? [String: Any])?["scan_id"] as? String)
        var status = "queued"
        for _ in 0..<240 where status == "queued" || status == "running" {
            try await Task.sleep(for: .milliseconds(500))
            status = try await stack.call("GET", "/v1/scans/\(scanID)", key: key).json["status"] as? String ?? ""
        }
        #expect(status == "succeeded")
    }

    @Test func refusesBadInputAndSavesNothing() async throws {
        let (_, key) = try stack.newAccount(scopes: [.read, .write])
        let (_, readOnly) = try stack.newAccount(scopes: [.read])
        let cases: [(body: String, status: Int, code: String)] = [
            ("{not json", 400, "invalid_request"),
            (#"{"name": 5, "region": "us-east-1"}"#, 400, "invalid_request"),
            (#"{"region": "us-east-1", "role_arn": "arn:aws:iam::123456789012:role/x"}"#, 400, "invalid_request"),
            (#"{"name": "a", "region": "us-east-1", "role_arn": "arn:aws:iam::12345:role/x"}"#, 400, "invalid_request"),
            (#"{"name": "a", "region": "us-east-1", "role_arn": "arn:aws:s3:::bucket"}"#, 400, "invalid_request"),
            (
                #"{"name": "a", "region": "mars-north-1", "role_arn": "arn:aws:iam::123456789012:role/x"}"#, 400,
                "invalid_request"
            ),
            (#"{"name": "a", "region": "us-east-1"}"#, 400, "invalid_request"),
            (
                #"{"name": "a", "region": "us-east-1", "access_key_id": "AKIAWRONGWRONGWRONG1", "secret_access_key": "nope"}"#,
                400, "invalid_credentials"
            ),
        ]
        for testCase in cases {
            let response = try await stack.call("POST", "/v1/cloud-accounts", key: key, body: testCase.body)
            #expect(response.status == testCase.status, "\(testCase.body)")
            #expect(response.json["error"] as? String == testCase.code, "\(testCase.body)")
        }
        let huge = try await stack.call(
            "POST", "/v1/cloud-accounts", key: key,
            body: #"{"name": ""# + String(repeating: "a", count: 20_000) + #""}"#)
        #expect(huge.status == 413)
        let listed = try await stack.call("GET", "/v1/cloud-accounts", key: key)
        #expect((listed.json["cloud_accounts"] as? [Any])?.isEmpty == true)

        let refused = try await stack.call(
            "POST", "/v1/cloud-accounts", key: readOnly,
            json: ["name": "a", "region": "us-east-1", "role_arn": "arn:aws:iam::123456789012:role/x"])
        #expect(refused.status == 403)
        let anonymous = try await stack.call("GET", "/v1/scans", key: nil)
        #expect(anonymous.status == 401)
    }

    /// The results over REST, read by the same queries as MCP's tools: every resource page by
    /// page, cost totals, findings by saving; bad parameters refused; another account sees none.
    @Test func readsTheResultsOverRESTAsTheMCPToolsDo() async throws {
        let (account, key) = try stack.newAccount(scopes: [.read, .write])
        let (_, stranger) = try stack.newAccount(scopes: [.read])
        let cloudAccount = try stack.connectCustomer(to: account)
        let started = try await stack.call(
            "POST", "/v1/cloud-accounts/\(cloudAccount.uuidString)/scans", key: key,
            json: ["regions": EstateScanTests.regions])
        let scanID = try #require(started.json["id"] as? String)
        var scan: [String: Any] = [:]
        for _ in 0..<240 {
            scan = try await stack.call("GET", "/v1/scans/\(scanID)", key: key).json
            if let status = scan["status"] as? String, status != "queued", status != "running" { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(scan["status"] as? String == "succeeded")

        var resources: [[String: Any]] = []
        var cursor: String?
        repeat {
            let page = try await stack.call(
                "GET", "/v1/resources?limit=7" + (cursor.map { "&cursor=\($0)" } ?? ""), key: key)
            #expect(page.status == 200, "\(page.text)")
            resources += page.json["resources"] as? [[String: Any]] ?? []
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil
        #expect(resources.count == stack.estate.expected.resources.count)
        let costs = resources.compactMap { Money($0["monthly_cost"] as? String ?? "") }
        #expect(costs == costs.sorted(by: >), "most expensive first")
        #expect(Set(resources.compactMap { $0["id"] as? String }).count == resources.count, "no row twice")

        let summary = try await stack.call("GET", "/v1/costs?group_by=region", key: key).json
        #expect(Money(summary["total_monthly_cost"] as? String ?? "") == Money(stack.estate.expected.totalCost))
        let groups = summary["groups"] as? [[String: Any]] ?? []
        #expect(Set(groups.compactMap { $0["key"] as? String }).isSuperset(of: ["us-east-1", "eu-west-1"]))
        #expect(groups.reduce(0) { $0 + ($1["resource_count"] as? Int ?? 0) } == resources.count)

        let findings = try await stack.call("GET", "/v1/waste-findings?limit=100", key: key).json
        let listed = findings["findings"] as? [[String: Any]] ?? []
        #expect(findings["total_count"] as? Int == scan["finding_count"] as? Int)
        #expect(
            Money(findings["total_monthly_saving"] as? String ?? "")
                == Money(scan["total_monthly_saving"] as? String ?? ""))
        let savings = listed.compactMap { Money($0["monthly_saving"] as? String ?? "") }
        #expect(savings == savings.sorted(by: >))

        // MCP's list_resources answers the same first page.
        let mcp = try await stack.call(
            "POST", "/mcp", key: key,
            json: [
                "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": ["name": "list_resources", "arguments": ["limit": 7]],
            ],
            headers: ["Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"])
        let structured = (mcp.json["result"] as? [String: Any])?["structuredContent"] as? [String: Any]
        let viaMCP = (structured?["resources"] as? [[String: Any]] ?? []).compactMap { $0["arn"] as? String }
        #expect(viaMCP == resources.prefix(7).compactMap { $0["arn"] as? String })

        for query in [
            "/v1/resources?limit=0", "/v1/resources?limit=101", "/v1/resources?cursor=bm90LWEtY3Vyc29y",
            "/v1/resources?min_monthly_cost=-1", "/v1/resources?cloud_account_id=nope", "/v1/costs?group_by=planet",
            "/v1/waste-findings?status=gone", "/v1/waste-findings?min_monthly_saving=lots",
        ] {
            let refused = try await stack.call("GET", query, key: key)
            #expect(refused.status == 400 && refused.json["error"] as? String == "invalid_request", "\(query)")
        }
        let firstPage = try await stack.call("GET", "/v1/resources?limit=1", key: key)
        let foreignCursor = try #require(firstPage.json["next_cursor"] as? String)
        #expect(try await stack.call("GET", "/v1/waste-findings?cursor=\(foreignCursor)", key: key).status == 400)
        let theirs = try await stack.call("GET", "/v1/resources", key: stranger)
        #expect(theirs.status == 200 && (theirs.json["resources"] as? [Any])?.isEmpty == true)
        #expect(try await stack.call("GET", "/v1/costs", key: nil).status == 401)
    }

    /// Access keys are checked with GetCallerIdentity and sealed; another account sees nothing
    /// of them; disconnecting erases them at once.
    @Test func sealsAccessKeysAndErasesThemOnDisconnect() async throws {
        let (account, key) = try stack.newAccount(scopes: [.read, .write])
        let (_, stranger) = try stack.newAccount(scopes: [.read, .write])
        let seed = stack.estate.aws.seed
        let created = try await stack.call(
            "POST", "/v1/cloud-accounts", key: key,
            json: [
                "name": "keys", "region": "eu-west-1", "access_key_id": seed.accessKeyID,
                "secret_access_key": seed.secretAccessKey,
            ])
        #expect(created.status == 201)
        #expect(created.json["status"] as? String == "connected")
        let id = try #require(created.json["id"] as? String)
        #expect(!created.text.contains(seed.secretAccessKey))

        let stored = try stack.database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.query(
                "select credential_ciphertext from kloudhub.cloud_accounts where id = \(UUID(uuidString: id)!)"
            )
            .first!.decode([UInt8]?.self)
        }
        let ciphertext = try #require(stored)
        #expect(!String(decoding: ciphertext, as: UTF8.self).contains(seed.secretAccessKey))

        for (method, path) in [
            ("DELETE", "/v1/cloud-accounts/\(id)"), ("POST", "/v1/cloud-accounts/\(id)/scans"),
            ("POST", "/v1/cloud-accounts/\(id)/verify"),
        ] {
            #expect(try await stack.call(method, path, key: stranger, json: [:]).status == 404, "\(method) \(path)")
        }
        #expect(try await stack.call("DELETE", "/v1/cloud-accounts/\(id)", key: key).status == 204)
        let erased = try stack.database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.query(
                "select credential_ciphertext, status from kloudhub.cloud_accounts where id = \(UUID(uuidString: id)!)"
            ).first!.decode(([UInt8]?, String).self)
        }
        #expect(erased.0 == nil && erased.1 == "disconnected")
        #expect(try await stack.call("POST", "/v1/cloud-accounts/\(id)/scans", key: key, json: [:]).status == 404)
    }
}

/// The emulator over `functions/`, on a database of its own and the seeded local AWS.
actor ScanStack {
    static let shared = ScanStack()

    struct Response {
        var status: Int
        var text: String
        var json: [String: Any]
    }

    struct Running: Sendable {
        let emulator: Emulator
        let gateway: String
        let database: TestDatabase
        let estate: SeededEstate.Estate

        /// The seeded customer account, connected by role to `account` (as verified).
        func connectCustomer(to account: UUID) throws -> UUID {
            let customer = estate.aws.seed.demoCustomer
            let cloudAccount = UUID()
            try database.client(as: .worker).transaction(scopedTo: account) { transaction in
                try transaction.execute(
                    """
                    insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn,
                                                external_id, status)
                    values (\(cloudAccount), \(account), \(customer.accountID), 'customer', 'us-east-1', 'role',
                            \(customer.roleARN), \(customer.externalID), 'connected')
                    """)
            }
            return cloudAccount
        }

        /// A person's account and an API key with `scopes`.
        func newAccount(scopes: Set<Scope>) throws -> (UUID, String) {
            let api = database.client(as: .api)
            let account = try AccountDirectory(database: api).upsert(
                clerkUserID: "user_\(UUID().uuidString)", email: "scan@example.com", name: "Scan")
            let key = try APIKeyService(database: api).create(
                account: account.id, name: "scan", scopes: scopes, expiresAt: nil
            ).key
            return (account.id, key)
        }

        func call(
            _ method: String, _ path: String, key: String?, json: [String: Any]? = nil, body: String? = nil,
            headers: [String: String] = [:]
        ) async throws -> Response {
            var all = headers
            if let key { all["Authorization"] = "Bearer \(key)" }
            var bytes: [UInt8] = []
            if let json { bytes = Array(try JSONSerialization.data(withJSONObject: json)) }
            if let body { bytes = Array(body.utf8) }
            if !bytes.isEmpty { all["Content-Type"] = "application/json" }
            let response = try await HTTPClient().execute(
                HTTPRequest(
                    method: method, url: gateway + path,
                    headers: HTTPHeaders(all.map { HTTPHeaders.Field(name: $0.key, value: $0.value) }),
                    body: .bytes(bytes)))
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            return Response(
                status: response.status, text: String(decoding: response.body, as: UTF8.self), json: object ?? [:])
        }
    }

    private var starting: Task<Running, any Error>?

    func running() async throws -> Running {
        if let starting { return try await starting.value }
        let task = Task { try await Self.start() }
        starting = task
        return try await task.value
    }

    private static func start() async throws -> Running {
        let estate = try await SeededEstate.shared.estate(regions: EstateScanTests.regions, asOf: EstateScanTests.asOf)
        let database = try await TestDatabase.create(label: "scan")
        var configuration = EmulatorConfiguration(
            functionFolders: [URL(fileURLWithPath: TestEnvironment.packageRoot + "/functions")],
            binaryFolder: URL(
                fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_BIN"]
                    ?? TestEnvironment.packageRoot + "/.build/debug"))
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        configuration.log = EmulatorLog { _ in }
        try await database.deploy(&configuration, on: estate.aws)
        let emulator = try Emulator(configuration: configuration)
        var gateway = try await emulator.start().gateway.absoluteString
        while gateway.hasSuffix("/") { gateway.removeLast() }
        return Running(emulator: emulator, gateway: gateway, database: database, estate: estate)
    }
}
