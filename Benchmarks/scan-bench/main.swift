// The scan measured end to end (`make bench`): the released `scan` binary behind the emulator,
// on an embedded cluster and the local AWS, scanning an estate of over 2,000 resources in four
// regions (Tests/ScanTests/Fixtures/estate.py --scale 11) through a role with an external id;
// beside it, in the same run, sequential_scan.py making the same calls one after another with
// boto3. Peak memory is the function's own (REPORT's Max Memory Used). Each pair runs once on
// moto alone and once with a round trip's latency added to every call (see `latencies`).
// Run: scan-bench --bin .build/release [--aws-latency-ms 0,25]

import BenchSupport
import Foundation
import KloudCore
import KloudLocal
import LoopbackServers

var binaryFolder = URL(fileURLWithPath: ".build/release")
/// Milliseconds each AWS call waits before moto answers it: 0 is moto alone, where both clients
/// wait on the one Python process; 25 is a regional AWS endpoint's round trip, which moto on
/// this machine does not have.
var latencies = [0, 25]
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    if argument == "--bin", !arguments.isEmpty { binaryFolder = URL(fileURLWithPath: arguments.removeFirst()) }
    if argument == "--aws-latency-ms", !arguments.isEmpty {
        latencies = arguments.removeFirst().split(separator: ",").compactMap { Int($0) }
    }
}

let regions = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
let packageRoot = BenchServices.packageRoot
let python = packageRoot.appendingPathComponent(".venv/bin/python")

/// Collects REPORT lines' Max Memory Used of the scan function.
final class MemoryReports: @unchecked Sendable {
    private let lock = NSLock()
    private var peakMB = 0

    func read(_ line: String) {
        guard line.hasPrefix("[scan] REPORT"), let range = line.range(of: "Max Memory Used: ") else { return }
        let value = Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
        lock.withLock { peakMB = max(peakMB, value) }
    }

    var peak: Int { lock.withLock { peakMB } }
}

/// CPU seconds a process has used (user and system), from /proc/<pid>/stat.
func cpuSeconds(of pid: Int32?) -> Double {
    guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let end = stat.lastIndex(of: ")")
    else { return 0 }
    // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
    let fields = stat[stat.index(after: end)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func run(_ arguments: [String]) async throws -> Data {
    let outcome = try await CommandRunner.run(python, arguments)
    guard outcome.status == 0 else {
        throw EmulatorError.serviceSeedFailed(
            "bench", String(decoding: outcome.errorOutput.suffix(2000), as: UTF8.self))
    }
    return outcome.output
}

await Bench.run(label: "scan") { services in
    let aws = services.aws
    let own = AWSConfiguration(
        region: "us-east-1",
        credentials: AWSCredentials(accessKeyID: aws.seed.accessKeyID, secretAccessKey: aws.seed.secretAccessKey),
        endpointURL: try AWSEndpoint(url: aws.endpoint.absoluteString))
    let customer = aws.seed.demoCustomer
    let seeding = try await STSClient(configuration: own, httpClient: HTTPClient()).assumeRole(
        roleARN: customer.roleARN, sessionName: "bench-seed", externalID: customer.externalID
    ).credentials
    let seedStart = ContinuousClock.now
    let expected =
        try JSONSerialization.jsonObject(
            with: try await run([
                packageRoot.appendingPathComponent("Tests/ScanTests/Fixtures/estate.py").path, "--endpoint",
                aws.endpoint.absoluteString, "--access-key-id", seeding.accessKeyID, "--secret-access-key",
                seeding.secretAccessKey, "--session-token", seeding.sessionToken ?? "", "--regions",
                regions.joined(separator: ","), "--as-of", Date().formatted(.iso8601), "--scale", "11",
            ])) as? [String: Any]
    let expectedCount = (expected?["resources"] as? [Any])?.count ?? 0
    print("seeded \(expectedCount) resources in \(regions.count) regions in \(ContinuousClock.now - seedStart)")

    let api = try await services.client(as: .api)
    let worker = try await services.client(as: .worker)
    let account = try AccountDirectory(database: api).upsert(
        clerkUserID: "user_scan_bench", email: "bench@example.com", name: "Bench")
    let key = try APIKeyService(database: api).create(
        account: account.id, name: "bench", scopes: [.read, .write], expiresAt: nil
    ).key
    let cloudAccount = UUID()
    try worker.transaction(scopedTo: account.id) { transaction in
        try transaction.execute(
            """
            insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn, external_id,
                                        status)
            values (\(cloudAccount), \(account.id), \(customer.accountID), 'bench', 'us-east-1', 'role',
                    \(customer.roleARN), \(customer.externalID), 'connected')
            """)
    }
    for latency in latencies {
        // With a latency, both clients reach moto through one proxy that waits before each call.
        let proxy =
            latency > 0 ? try AWSForwardingProxy(forwardingTo: aws.endpoint, latency: .milliseconds(latency)) : nil
        defer { proxy?.stop() }
        let endpoint = proxy?.url ?? aws.endpoint.absoluteString
        let memory = MemoryReports()
        var configuration = try await services.emulatorConfiguration(binaryFolder: binaryFolder)
        configuration.log = EmulatorLog { memory.read($0) }
        configuration.awsEnvironment["AWS_ENDPOINT_URL"] = endpoint
        let (emulator, gateway) = try await startEmulator(configuration)
        let http = HTTPClient()
        func call(_ method: String, _ path: String, _ body: String = "") async throws -> [String: Any] {
            let response = try await http.execute(
                HTTPRequest(
                    method: method, url: gateway + path,
                    headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                    body: .bytes(Array(body.utf8))))
            guard (200..<300).contains(response.status) else {
                let text = String(decoding: response.body.prefix(500), as: UTF8.self)
                throw EmulatorError.serviceSeedFailed("bench", "\(method) \(path) answered \(response.status): \(text)")
            }
            return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
        }

        let moto = await services.supervisor.runningServices["local-aws"]
        let motoBeforeScan = cpuSeconds(of: moto)
        let scanStart = ContinuousClock.now
        let started = try await call(
            "POST", "/v1/cloud-accounts/\(cloudAccount.uuidString.lowercased())/scans",
            #"{"regions": ["\#(regions.joined(separator: "\", \""))"]}"#)
        let scanID = started["id"] as? String ?? ""
        var scan: [String: Any] = [:]
        repeat {
            try await Task.sleep(for: .milliseconds(50))
            scan = try await call("GET", "/v1/scans/\(scanID)")
        } while ["queued", "running"].contains(scan["status"] as? String ?? "")
        let swiftSeconds = seconds(ContinuousClock.now - scanStart)
        let motoDuringScan = cpuSeconds(of: moto) - motoBeforeScan
        await emulator.shutdown()
        let status = scan["status"] as? String ?? ""
        guard status == "succeeded" else {
            let errorCode = scan["error_code"] as? String ?? "no error code"
            throw EmulatorError.serviceSeedFailed("bench", "scan \(scanID) ended \(status) (\(errorCode))")
        }
        let motoBeforeBaseline = cpuSeconds(of: moto)

        let baseline =
            try JSONSerialization.jsonObject(
                with: try await run([
                    packageRoot.appendingPathComponent("Benchmarks/scan-bench/sequential_scan.py").path, "--endpoint",
                    endpoint, "--access-key-id", aws.seed.accessKeyID, "--secret-access-key",
                    aws.seed.secretAccessKey, "--role-arn", customer.roleARN, "--external-id", customer.externalID,
                    "--regions", regions.joined(separator: ","), "--owner-id-filter",
                ])) as? [String: Any]
        let baselineSeconds = baseline?["seconds"] as? Double ?? 0
        let motoDuringBaseline = cpuSeconds(of: moto) - motoBeforeBaseline
        print(
            "AWS latency \(latency) ms per call: scan of \(scan["resource_count"] ?? 0) resources "
                + "(\(scan["status"] ?? "?")) in \(regions.count) regions through the emulator: "
                + String(format: "%.2f s (moto busy %.1f s)", swiftSeconds, motoDuringScan)
                + ", peak memory \(memory.peak) MB; "
                + "sequential boto3 (\(baseline?["resources"] ?? 0) resources, \(baseline?["calls"] ?? 0) calls): "
                + String(format: "%.2f s (moto busy %.1f s)", baselineSeconds, motoDuringBaseline)
                + ", peak RSS \((baseline?["peak_rss_kb"] as? Int ?? 0) / 1024) MB; "
                + String(format: "%.1f× faster", baselineSeconds / max(swiftSeconds, 0.001)))
        if let warnings = scan["warnings"] as? [Any], !warnings.isEmpty { print("scan warnings: \(warnings)") }
    }
}
