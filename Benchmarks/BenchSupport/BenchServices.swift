import Foundation
import KloudCore
import KloudLocal

/// What a benchmark runs KloudHub on: an embedded cluster (not durable) and the local AWS, with
/// the functions deployed onto them as `kloudhub-local up` deploys them (database secrets, a role
/// per function), so a benchmark measures what a developer runs.
public struct BenchServices: Sendable {
    /// The project's root.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public let cluster: EmbeddedPostgres
    public let supervisor: ServiceSupervisor
    public let aws: LocalAWS
    /// Each app role's connection string, over loopback TCP as the functions connect.
    public let databaseURLs: [DatabaseRole: String]
    private let directory: String

    /// Starts the cluster (in a temporary folder named after `label`) and the local AWS.
    public static func start(label: String) async throws -> BenchServices {
        let directory = NSTemporaryDirectory() + "kloudhub-\(label)-bench-\(getpid())"
        let cluster = EmbeddedPostgres(
            configuration: .init(
                dataDirectory: directory, migrationsDirectory: packageRoot.appendingPathComponent("migrations").path,
                databaseName: "bench", isDurable: false))
        let supervisor = ServiceSupervisor(log: EmulatorLog { _ in })
        do {
            try await cluster.start()
            let aws = try await LocalAWS.start(projectRoot: packageRoot, region: "us-east-1", supervisor: supervisor)
            var urls: [DatabaseRole: String] = [:]
            for role in [DatabaseRole.api, .worker, .maintenance] {
                urls[role] = try await cluster.connectionString(for: role, transport: .tcp)
            }
            return BenchServices(
                cluster: cluster, supervisor: supervisor, aws: aws, databaseURLs: urls, directory: directory)
        } catch {
            // Bench.run gets no services to stop, so what did start is stopped here.
            await supervisor.stopAll()
            await cluster.stop()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// An emulator configuration for the binaries in `binaryFolder`, on its own ports, quiet,
    /// without schedules, with the functions deployed onto these services.
    public func emulatorConfiguration(binaryFolder: URL) async throws -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration(
            functionFolders: [Self.packageRoot.appendingPathComponent("functions")], binaryFolder: binaryFolder)
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        configuration.log = EmulatorLog { _ in }
        try await configuration.deploy(on: aws, databaseURLs: databaseURLs, installation: "bench")
        return configuration
    }

    /// A client as a role's login user (the owner over the cluster's socket).
    public func client(as role: DatabaseRole) async throws -> PostgresClient {
        let url: String
        if let appRole = databaseURLs[role] {
            url = appRole
        } else {
            url = try await cluster.connectionString(for: role)
        }
        return PostgresClient(configuration: .init(connectionString: url))
    }

    /// Stops the local AWS and the cluster and removes the cluster's folder.
    public func stop() async {
        await supervisor.stopAll()
        await cluster.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// How a benchmark ends: a failure is printed and the process exits non-zero, so `make bench`
/// stops there instead of going on as if it had measured.
public enum Bench {
    /// Runs `body` with started services and stops them whatever happens; exits 1 if it failed.
    public static func run(label: String, _ body: @MainActor (BenchServices) async throws -> Void) async {
        var failure: (any Error)?
        do {
            let services = try await BenchServices.start(label: label)
            do { try await body(services) } catch { failure = error }
            await services.stop()
        } catch {
            failure = error
        }
        if let failure {
            FileHandle.standardError.write(Data("\(label)-bench failed: \(String(reflecting: failure))\n".utf8))
            exit(1)
        }
    }
}

/// Starts an emulator with `configuration`; returns it and its gateway's origin without a trailing
/// slash, so a benchmark appends paths to it. An emulator that fails to start is shut down.
public func startEmulator(
    _ configuration: EmulatorConfiguration
) async throws -> (emulator: Emulator, gateway: String) {
    let emulator = try Emulator(configuration: configuration)
    do {
        var gateway = try await emulator.start().gateway.absoluteString
        while gateway.hasSuffix("/") { gateway.removeLast() }
        return (emulator, gateway)
    } catch {
        await emulator.shutdown()
        throw error
    }
}
