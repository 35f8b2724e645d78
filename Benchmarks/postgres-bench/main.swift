// Measures KloudHub's two hot database paths against an embedded cluster
// over TCP loopback:
//   1. a scoped point query: BEGIN, set the account scope, select one
//      resource by id, COMMIT (target p50 <= 0.3 ms);
//   2. listing 50 resources of one account, out of 100,000 rows across 100
//      accounts, filtered by region and ordered by cost (target p50 <= 2 ms),
//      with its EXPLAIN;
//   3. the authenticator's check of a bearer API key: hash, find_api_key(),
//      the checks (target p50 <= 0.5 ms).
// Run: swift run -c release postgres-bench [iterations]

import Foundation
import KloudCore
import KloudLocal
import LambdaRuntime

let iterations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5_000
let accountCount = 100
let resourcesPerAccount = 1_000
let regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let migrations = ProcessInfo.processInfo.environment["KLOUDHUB_MIGRATIONS_DIR"] ?? packageRoot + "/migrations"
let directory = NSTemporaryDirectory() + "kloudhub-bench-\(getpid())"

func measure(_ label: String, warmUp: Int = 300, _ body: () throws -> Void) rethrows {
    for _ in 0..<warmUp { try body() }
    var samples: [Duration] = []
    samples.reserveCapacity(iterations)
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        samples.append(try clock.measure(body))
    }
    report(label, samples)
}

func measure(_ label: String, warmUp: Int = 300, _ body: () async throws -> Void) async rethrows {
    for _ in 0..<warmUp { try await body() }
    var samples: [Duration] = []
    samples.reserveCapacity(iterations)
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let start = clock.now
        try await body()
        samples.append(clock.now - start)
    }
    report(label, samples)
}

func report(_ label: String, _ unsorted: [Duration]) {
    let samples = unsorted.sorted()
    func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.3f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
    let p50 = samples[samples.count / 2]
    let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
    let p90 = samples[samples.count * 90 / 100]
    print(
        "\(label): p50 \(milliseconds(p50)) ms, p90 \(milliseconds(p90)) ms, p99 \(milliseconds(p99)) ms,"
            + " max \(milliseconds(samples.last!)) ms (\(iterations) runs)")
}

let cluster = EmbeddedPostgres(
    configuration: .init(
        dataDirectory: directory, migrationsDirectory: migrations, databaseName: "bench", isDurable: false))
var failure: (any Error)?
do {
    try await cluster.start()
    let worker = PostgresClient(
        configuration: .init(connectionString: try await cluster.connectionString(for: .worker, transport: .tcp)))
    let api = PostgresClient(
        configuration: .init(connectionString: try await cluster.connectionString(for: .api, transport: .tcp)))
    let owner = PostgresClient(configuration: .init(connectionString: try await cluster.connectionString(for: .owner)))

    print("seeding \(accountCount * resourcesPerAccount) resources across \(accountCount) accounts…")
    var accounts: [UUID] = []
    for index in 0..<accountCount {
        let accountID = try AccountDirectory(database: api).upsert(
            clerkUserID: "bench_\(index)", email: "bench@example.com", name: "Bench"
        ).id
        let cloudAccountID = UUID()
        let scanID = UUID()
        accounts.append(accountID)
        try worker.transaction(scopedTo: accountID) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn, external_id, status)
                values (\(cloudAccountID), \(accountID), '123456789012', 'bench', 'us-east-1', 'role',
                        'arn:aws:iam::123456789012:role/KloudHub', 'external-id', 'connected')
                """)
            try transaction.execute(
                """
                insert into kloudhub.scans (id, account_id, cloud_account_id, regions)
                values (\(scanID), \(accountID), \(cloudAccountID), \(regions))
                """)
            try transaction.execute(
                """
                insert into kloudhub.resources (account_id, cloud_account_id, scan_id, arn, resource_type, name, region,
                                                monthly_cost)
                select \(accountID), \(cloudAccountID), \(scanID), 'arn:aws:ec2:::instance/i-' || n, 'ec2:instance',
                       'instance ' || n,
                       (\(regions))[1 + n % \(regions.count)], round((random() * 1000)::numeric, 4)
                from generate_series(1, \(resourcesPerAccount)) as n
                """)
        }
    }
    try owner.execute("analyze kloudhub.resources")

    let accountID = accounts[accounts.count / 2]
    let ids = try worker.transaction(scopedTo: accountID) { transaction in
        try transaction.query("select id from kloudhub.resources limit 1000").decode(UUID.self)
    }

    var next = 0
    try measure("scoped point query (begin, scope, select by id, commit)") {
        next = (next + 1) % ids.count
        let id = ids[next]
        let row = try api.transaction(scopedTo: accountID) { transaction in
            try transaction.query(
                "select id, name, region, monthly_cost from kloudhub.resources where account_id = \(accountID) and id = \(id)"
            ).first
        }
        _ = try row?.decode((UUID, String, String, Money).self)
    }

    let list: (String) -> PostgresQuery = { region in
        """
        select id, name, resource_type, region, monthly_cost from kloudhub.resources
        where account_id = \(accountID) and region = \(region)
        order by monthly_cost desc, id limit 50
        """
    }
    var regionIndex = 0
    try measure("list 50 resources by region, ordered by cost") {
        regionIndex = (regionIndex + 1) % regions.count
        let rows = try api.transaction(scopedTo: accountID) { transaction in
            try transaction.query(list(regions[regionIndex])).decode((UUID, String, String, String, Money).self)
        }
        precondition(rows.count == 50)
    }

    let key = try APIKeyService(database: api).create(
        account: accountID, name: "bench", scopes: [.read], expiresAt: nil)
    let authenticator = Authenticator(database: api, clerk: nil)
    let request = APIGatewayV2Request(
        routeKey: "GET /v1/account", rawPath: "/v1/account", rawQueryString: "", cookies: nil,
        headers: ["authorization": "Bearer \(key.key)"], queryStringParameters: nil, pathParameters: nil,
        requestContext: .init(
            accountId: "000000000000", apiId: "bench", domainName: "localhost", domainPrefix: "localhost",
            http: .init(
                method: "GET", path: "/v1/account", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench"),
            requestId: "bench", routeKey: "GET /v1/account", stage: "$default", time: "", timeEpoch: 0),
        body: nil, isBase64Encoded: false)
    try await measure("authenticator: bearer API key (SHA-256, find_api_key, checks)") {
        let caller = try await authenticator.authenticate(request, policy: .restAPI)
        precondition(caller.accountID == accountID)
    }

    try measure("reference: unscoped select 1 in its own transaction") {
        _ = try api.query("select 1")
    }

    let plan = try api.transaction(scopedTo: accountID) { transaction in
        let query = list("eu-west-1")
        return try transaction.query(PostgresQuery(unsafeRaw: "explain analyze " + query.sql, bindings: query.bindings))
            .decode(String.self)
    }
    print("EXPLAIN ANALYZE of the list query (as kloudhub_api, scoped):")
    plan.forEach { print("  " + $0) }
} catch {
    failure = error
}
await cluster.stop()
try? FileManager.default.removeItem(atPath: directory)
if let failure {
    // A failure ends the process non-zero, so `make bench` stops here.
    FileHandle.standardError.write(Data("postgres-bench failed: \(String(reflecting: failure))\n".utf8))
    exit(1)
}
