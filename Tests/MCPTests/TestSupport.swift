import Foundation
import KloudCore
import KloudTestSupport
import LambdaRuntime
import Logging

@testable import mcp

/// The public URL the tests' MCP function runs at.
let testPublicURL = "https://api.kloudhub.test"

/// A POST (or other method) to `/mcp` as API Gateway delivers it.
func mcpRequest(
    method: String = "POST", body: String? = nil, headers: [String: String] = [:], query: String = ""
) -> APIGatewayV2Request {
    var all = ["content-type": "application/json", "accept": "application/json, text/event-stream"]
    for (name, value) in headers { all[name.lowercased()] = value }
    all = all.filter { !$0.value.isEmpty }
    return APIGatewayV2Request(
        routeKey: "\(method) /mcp", rawPath: "/mcp", rawQueryString: query, cookies: nil, headers: all,
        queryStringParameters: nil, pathParameters: nil,
        requestContext: .init(
            accountId: "000000000000", apiId: "local", domainName: "api.kloudhub.test", domainPrefix: "api",
            http: .init(method: method, path: "/mcp", protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test"),
            requestId: UUID().uuidString, routeKey: "\(method) /mcp", stage: "$default", time: "", timeEpoch: 0),
        body: body, isBase64Encoded: false)
}

/// A Lambda context for calling a handler directly.
func testContext() -> LambdaContext {
    LambdaContext(
        requestID: UUID().uuidString, deadlineMilliseconds: WallClock.nowMilliseconds() + 10_000,
        invokedFunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:mcp", traceID: nil, clientContext: nil,
        cognitoIdentity: nil, function: FunctionEnvironment(environment: [:]), logger: Logger(label: "mcp-test"))
}

/// The body of a response as a JSON object.
func jsonObject(_ response: APIGatewayV2Response) throws -> [String: Any] {
    let data = Data((response.body ?? "").utf8)
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw MCPTestFailure("not a JSON object: \(response.body ?? "")")
    }
    return object
}

struct MCPTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One account's MCP data beyond ``AccountFixture``'s one row per table: resources of three
/// services in two regions, waste findings on two of them, and a Kloud with a sensitive
/// variable, so tool answers can be checked exactly.
struct MCPAccountData {
    let fixture: AccountFixture
    /// Resource ids by cost, most expensive first (the fixture's own $12.50 volume included).
    let resourceIDs: [UUID]
    /// The value planted in the Kloud's sensitive variable; no tool may show it.
    let sensitiveCanary: String

    var accountID: UUID { fixture.accountID }

    /// Costs of the resources, most expensive first.
    static let costs = ["100.00", "40.00", "40.00", "12.50", "7.25"]

    static func insert(into database: TestDatabase, label: String) throws -> MCPAccountData {
        let fixture = try AccountFixture.insert(into: database, label: label)
        let canary = "canary-\(label)-\(UUID().uuidString)"
        let cloudAccount = fixture.id(in: .cloudAccounts)
        let scan = fixture.id(in: .scans)
        let extra: [(type: String, region: String, cost: String, name: String)] = [
            ("ec2:instance", "eu-west-1", "100.00", "web"), ("rds:db", "us-east-1", "40.00", "orders"),
            ("s3:bucket", "global", "40.00", "assets"), ("ec2:volume", "us-east-1", "7.25", "scratch"),
        ]
        var ids: [(UUID, Money)] = [(fixture.id(in: .resources), Money("12.50")!)]
        try database.client(as: .worker).transaction(scopedTo: fixture.accountID) { transaction in
            for resource in extra {
                let id = UUID()
                ids.append((id, Money(resource.cost)!))
                try transaction.execute(
                    """
                    insert into kloudhub.resources (id, account_id, cloud_account_id, scan_id, arn, resource_type, name,
                                           region, monthly_cost, tags)
                    values (\(id), \(fixture.accountID), \(cloudAccount), \(scan),
                            \("arn:aws:\(resource.type):\(label):\(id.uuidString)"), \(resource.type), \(resource.name),
                            \(resource.region), \(Money(resource.cost)!), \(PostgresJSON(text: #"{"CostCenter": "\#(label)"}"#)))
                    """)
                if resource.name == "web" || resource.name == "scratch" {
                    try transaction.execute(
                        """
                        insert into kloudhub.waste_findings (account_id, resource_id, scan_id, kind, title, reason, monthly_saving)
                        values (\(fixture.accountID), \(id), \(scan), \(resource.name == "web" ? "idle_instance" : "unattached_volume"),
                                \("Waste on " + resource.name), 'costs money, does nothing', \(Money(resource.cost)!))
                        """)
                }
            }
            try transaction.execute(
                "update kloudhub.cloud_accounts set latest_scan_id = \(scan) where id = \(cloudAccount)")
            try transaction.execute(
                """
                update kloudhub.klouds set variables = \(PostgresJSON(text: #"{"db_password": {"type": "string", "sensitive": true, "default": "\#(canary)"}, "size": {"default": "t3.micro"}}"#))
                where id = \(fixture.id(in: .klouds))
                """)
        }
        let sorted = ids.sorted { $0.1 == $1.1 ? $0.0.uuidString > $1.0.uuidString : $0.1 > $1.1 }
        return MCPAccountData(fixture: fixture, resourceIDs: sorted.map(\.0), sensitiveCanary: canary)
    }
}
