// Retention and request logging measured (`make bench`):
//   1. the retention sweep purging 1,000,000 expired keys (revoked 100 days ago), beside one bare
//      `DELETE` of the same rows in the same run, with the sweep's peak memory against a sweep of
//      100,000 rows (target: within 1.5x of the bare delete, memory flat);
//   2. what request logging costs a request through the emulator: p50 of `GET /v1/account` with
//      an API key (the released token binary), with and without logging.
// Run: retention-bench --bin .build/release [--rows N] [--requests N]

import BenchSupport
import Foundation
import KloudCore
import KloudLocal
import Logging

var binaryFolder = URL(fileURLWithPath: ".build/release")
var rowCount = 1_000_000
var requestCount = 2_000
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--bin" where !arguments.isEmpty: binaryFolder = URL(fileURLWithPath: arguments.removeFirst())
    case "--rows" where !arguments.isEmpty: rowCount = Int(arguments.removeFirst()) ?? rowCount
    case "--requests" where !arguments.isEmpty: requestCount = Int(arguments.removeFirst()) ?? requestCount
    default: break
    }
}

func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}

/// The process's peak resident memory so far, in megabytes.
func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

await Bench.run(label: "retention") { services in
    var urls = services.databaseURLs
    urls[.owner] = try await services.cluster.connectionString(for: .owner, transport: .tcp)
    let api = PostgresClient(configuration: .init(connectionString: urls[.api]!, statementTimeout: nil))
    let maintenance = PostgresClient(configuration: .init(connectionString: urls[.maintenance]!, statementTimeout: nil))
    // VACUUM cannot run in a transaction, and every PostgresClient call is one.
    let owner = try PostgresConnection.connect(to: urls[.owner]!)
    let account = try AccountDirectory(database: api).upsert(
        clerkUserID: "user_bench", email: "bench@example.com", name: "Bench"
    ).id

    /// `count` keys revoked 100 days ago, then a vacuum so each run starts from the same table.
    func seed(_ count: Int) throws {
        try api.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.api_keys (account_id, kind, name, key_hash, display_prefix, revoked_at)
                select \(account), 'api', 'bench', sha256(convert_to(g::text || \(UUID().uuidString), 'UTF8')),
                       'khk_benchkey', now() - interval '100 days'
                from generate_series(1, \(count)) g
                """)
        }
        try owner.execute("vacuum analyze kloudhub.api_keys")
    }

    let erasure = AccountErasure(
        database: maintenance,
        storage: AccountStorage(
            s3: S3Client(configuration: AWSConfiguration(region: "us-east-1"), httpClient: HTTPClient()), buckets: [:]))
    let sweep = RetentionSweep(database: maintenance, erasure: erasure)
    let clock = ContinuousClock()
    let quiet = Logger(label: "retention-bench")

    func timedSweep(_ count: Int) async throws -> (Duration, Int, Double) {
        try seed(count)
        var report = SweepReport(isDryRun: false)
        let elapsed = try await clock.measure {
            report = try await sweep.run(
                isDryRun: false, deadline: .unlimited, maximumHold: .seconds(3600), logger: quiet)
        }
        return (elapsed, report.counts["api_keys_purged"] ?? 0, peakMemoryMB())
    }

    print("retention sweep: \(rowCount) expired keys (batches of 10,000 per transaction)")
    let (_, smallCount, smallPeak) = try await timedSweep(rowCount / 10)
    try seed(rowCount)
    var bareDeleted = 0
    let bare = try clock.measure {
        bareDeleted = try maintenance.execute(
            "delete from kloudhub.api_keys where revoked_at <= now() - interval '90 days'")
    }
    let (swept, sweptCount, largePeak) = try await timedSweep(rowCount)
    print(String(format: "  bare DELETE of %d rows:  %.2f s", bareDeleted, seconds(bare)))
    print(
        String(
            format: "  sweep of %d rows:        %.2f s  (%.2fx the bare delete; target <= 1.5x)", sweptCount,
            seconds(swept), seconds(swept) / seconds(bare)))
    print(
        String(
            format: "  peak memory of the process: %.1f MB after sweeping %d rows, %.1f MB after %d rows", smallPeak,
            smallCount, largePeak, sweptCount))

    // MARK: - Request logging through the emulator

    let key = try APIKeyService(database: api).create(account: account, name: "bench", scopes: [.read], expiresAt: nil)
    @MainActor func p50(logging: Bool) async throws -> (Double, Double) {
        var configuration = try await services.emulatorConfiguration(binaryFolder: binaryFolder)
        if !logging { configuration.developmentSwitches[.requestLog] = "off" }
        let (emulator, gateway) = try await startEmulator(configuration)
        let http = HTTPClient()
        let request = HTTPRequest(
            method: "GET", url: gateway + "/v1/account", headers: ["Authorization": "Bearer \(key.key)"])
        var samples: [Duration] = []
        for round in 0..<(requestCount + 100) {
            let start = clock.now
            let response = try await http.execute(request)
            let elapsed = clock.now - start
            precondition(response.status == 200, "request failed: \(response.status)")
            if round >= 100 { samples.append(elapsed) }
        }
        await emulator.shutdown()
        samples.sort()
        return (seconds(samples[samples.count / 2]) * 1000, seconds(samples[samples.count * 90 / 100]) * 1000)
    }

    print("request log overhead: GET /v1/account with an API key through the emulator (\(requestCount) requests)")
    let before = try maintenance.query("select count(*) from kloudhub.request_log").first?.decode(Int.self) ?? 0
    let without = try await p50(logging: false)
    let with = try await p50(logging: true)
    let after = try maintenance.query("select count(*) from kloudhub.request_log").first?.decode(Int.self) ?? 0
    print(String(format: "  without logging: p50 %.3f ms, p90 %.3f ms", without.0, without.1))
    print(
        String(
            format: "  with logging:    p50 %.3f ms, p90 %.3f ms  (+%.3f ms p50; %d rows written)", with.0, with.1,
            with.0 - without.0, after - before))
}
