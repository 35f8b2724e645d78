// The MCP server's busiest read measured end to end (`make bench`): the released `mcp` binary
// behind the emulator, on an embedded cluster holding 10,000 resources in one account. Two
// clients call `tools/call list_resources` (50 per page) with an API key through the gateway,
// so two warm instances answer. `ping` (the same path and authentication, no query) and a `GET`
// that answers 405 before authentication (the emulator's path alone) are measured beside it.
// Run: mcp-bench --bin .build/release [--concurrency 2] [--only list|ping|get] [requests]

import BenchSupport
import Foundation
import KloudCore
import KloudLocal

var binaryFolder = URL(fileURLWithPath: ".build/release")
var requests = 2000
var concurrency = 2
var only: String?
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    if argument == "--bin", !arguments.isEmpty {
        binaryFolder = URL(fileURLWithPath: arguments.removeFirst())
    } else if argument == "--concurrency", let count = arguments.first.flatMap(Int.init) {
        arguments.removeFirst()
        concurrency = count
    } else if argument == "--only", !arguments.isEmpty {
        only = arguments.removeFirst()
    } else if let count = Int(argument) {
        requests = count
    }
}

let resourceCount = 10_000
func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}

/// Fills one account with `resourceCount` resources in one cloud account, as scan writes them.
func seed(_ account: UUID, worker: PostgresClient) throws {
    let cloudAccountID = UUID()
    let scanID = UUID()
    try worker.transaction(scopedTo: account) { transaction in
        try transaction.execute(
            """
            insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn,
                                        external_id, status)
            values (\(cloudAccountID), \(account), '123456789012', 'bench', 'us-east-1', 'role',
                    'arn:aws:iam::123456789012:role/KloudHub', 'external-id', 'connected')
            """)
        try transaction.execute(
            """
            insert into kloudhub.scans (id, account_id, cloud_account_id, regions)
            values (\(scanID), \(account), \(cloudAccountID), \(["us-east-1", "eu-west-1", "ap-southeast-2"]))
            """)
        try transaction.execute(
            """
            insert into kloudhub.resources (account_id, cloud_account_id, scan_id, arn, resource_type, name, region,
                                   monthly_cost)
            select \(account), \(cloudAccountID), \(scanID), 'arn:aws:ec2:::instance/i-' || n, 'ec2:instance', 'instance ' || n,
                   (array['us-east-1', 'eu-west-1', 'ap-southeast-2'])[1 + n % 3], round((random() * 1000)::numeric, 4)
            from generate_series(1, \(resourceCount)) as n
            """)
        try transaction.execute(
            "update kloudhub.cloud_accounts set latest_scan_id = \(scanID) where id = \(cloudAccountID)")
    }
}

/// The call measured, and `ping`: the same gateway, instance and authentication without a query.
let listResources =
    #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_resources","arguments":{"limit":50}}}"#
let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#

/// One JSON-RPC request through the gateway; returns how long it took.
func call(_ body: String, _ http: HTTPClient, gateway: String, key: String) async throws -> Duration {
    let start = ContinuousClock.now
    if body.isEmpty {
        let response = try await http.execute(HTTPRequest(method: "GET", url: gateway + "/mcp"))
        precondition(response.status == 405, "GET /mcp answered \(response.status)")
        return ContinuousClock.now - start
    }
    let response = try await http.execute(
        HTTPRequest(
            method: "POST", url: gateway + "/mcp",
            headers: [
                "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25", "Authorization": "Bearer \(key)",
            ], body: .bytes(Array(body.utf8))))
    let elapsed = ContinuousClock.now - start
    let hasFailed = response.body.withUnsafeBufferPointer { contains(#""isError":true"#, in: $0) }
    precondition(
        response.status == 200 && !hasFailed,
        "call failed: \(String(decoding: response.body.prefix(500), as: UTF8.self))")
    return elapsed
}

/// Whether `text` occurs in `bytes`, found with memchr and memcmp: Foundation's String.contains
/// and DataProtocol.firstRange, and then a Swift loop over the 25 KB answer, cost this load
/// generator more than the emulator's own parsing of it.
func contains(_ text: String, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let needle = Array(text.utf8)
    guard var cursor = bytes.baseAddress, !needle.isEmpty else { return false }
    let end: UnsafePointer<UInt8> = cursor + bytes.count
    let first = Int32(needle[0])
    while end - cursor >= needle.count {
        guard let found = memchr(cursor, first, end - cursor) else { return false }
        let candidate = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self))
        if end - candidate >= needle.count && memcmp(candidate, needle, needle.count) == 0 { return true }
        cursor = candidate + 1
    }
    return false
}

/// `requests` calls of `body`, `concurrency` at a time: the latency percentiles and throughput.
@MainActor func measure(
    _ label: String, _ body: String, clients: [HTTPClient], gateway: String, key: String
) async throws
    -> String
{
    let perClient = requests / concurrency
    let start = ContinuousClock.now
    let samples = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for client in clients {
            group.addTask {
                var durations: [Duration] = []
                for _ in 0..<perClient { durations.append(try await call(body, client, gateway: gateway, key: key)) }
                return durations
            }
        }
        var all: [Duration] = []
        for try await durations in group { all += durations }
        return all.sorted()
    }
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    let perSecond = Double(samples.count) / (Double(seconds) + Double(attoseconds) / 1e18)
    return "mcp \(label), \(resourceCount) resources, through the emulator with an API key, concurrency "
        + "\(concurrency): p50 \(milliseconds(samples[samples.count / 2])) ms, "
        + "p99 \(milliseconds(samples[samples.count * 99 / 100])) ms, max \(milliseconds(samples.last!)) ms, "
        + String(format: "%.0f", perSecond) + " requests/s (\(samples.count) calls after 50 warm-up)"
}

await Bench.run(label: "mcp") { services in
    let configuration = try await services.emulatorConfiguration(binaryFolder: binaryFolder)
    let api = try await services.client(as: .api)
    let worker = try await services.client(as: .worker)
    let owner = try await services.client(as: .owner)
    let account = try AccountDirectory(database: api).upsert(
        clerkUserID: "user_bench", email: "bench@example.com", name: "Bench")
    try seed(account.id, worker: worker)
    try owner.execute("analyze kloudhub.resources")
    let key = try APIKeyService(database: api).create(
        account: account.id, name: "bench", scopes: [.read], expiresAt: nil
    ).key

    let (emulator, gateway) = try await startEmulator(configuration)
    let clients = (0..<concurrency).map { _ in HTTPClient() }
    for _ in 0..<25 {
        try await withThrowingTaskGroup(of: Duration.self) { group in
            for client in clients {
                group.addTask { try await call(listResources, client, gateway: gateway, key: key) }
            }
            try await group.waitForAll()
        }
    }

    for (name, label, body) in [
        ("list", "tools/call list_resources (limit 50)", listResources), ("ping", "ping", ping),
        ("get", "GET (405, no authentication)", ""),
    ] where only == nil || only == name {
        print(try await measure(label, body, clients: clients, gateway: gateway, key: key))
    }
    await emulator.shutdown()
}
