import Foundation
import KloudCore

/// The managed services KloudHub uses in AWS, stood in for on one machine: PostgreSQL and AWS
/// itself. Each is embedded unless an external one is configured.
public actor LocalServices {
    /// What to start.
    public struct Options: Sendable {
        /// The project's root (holding `migrations/` and `scripts/`).
        public var projectRoot: URL
        /// Where embedded services keep their data (`.local/`, ignored by git).
        public var dataFolder: URL
        public var region: String
        /// Use the AWS of the environment's credentials instead of the local one.
        public var usesRealAWS: Bool
        /// The process environment, for `KLOUDHUB_DATABASE_URL_<ROLE>` and AWS settings.
        public var environment: [String: String]

        public init(projectRoot: URL, dataFolder: URL, region: String, usesRealAWS: Bool, environment: [String: String])
        {
            self.projectRoot = projectRoot
            self.dataFolder = dataFolder
            self.region = region
            self.usesRealAWS = usesRealAWS
            self.environment = environment
        }
    }

    private let options: Options
    private let supervisor: ServiceSupervisor
    private var postgres: EmbeddedPostgres?
    public private(set) var localAWS: LocalAWS?

    public init(options: Options, log: EmulatorLog) {
        self.options = options
        self.supervisor = ServiceSupervisor(log: log)
    }

    /// Starts what is not configured externally and returns the database URL of each role
    /// and the variables every function gets.
    public func start() async throws -> (databaseURLs: [DatabaseRole: String], environment: [String: String]) {
        let appRoles = DatabaseRole.allCases.filter { $0 != .owner }
        var databaseURLs: [DatabaseRole: String] = [:]
        let external = appRoles.compactMap { role in options.environment[role.databaseURLVariable].map { (role, $0) } }
        if external.count == appRoles.count {
            databaseURLs = Dictionary(uniqueKeysWithValues: external)
        } else {
            let embedded = EmbeddedPostgres(
                configuration: .init(
                    dataDirectory: options.dataFolder.appendingPathComponent("postgres").path,
                    migrationsDirectory: options.projectRoot.appendingPathComponent("migrations").path))
            try await embedded.start()
            postgres = embedded
            for role in appRoles {
                databaseURLs[role] = try await embedded.connectionString(for: role, transport: .tcp)
            }
        }
        var environment: [String: String] = [:]
        if options.usesRealAWS {
            for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
                environment[name] = options.environment[name]
            }
        } else {
            let aws = try await LocalAWS.start(
                projectRoot: options.projectRoot, region: options.region, supervisor: supervisor)
            localAWS = aws
            environment.merge(aws.functionEnvironment) { _, local in local }
        }
        return (databaseURLs, environment)
    }

    /// Stops every embedded service.
    public func stop() async {
        await postgres?.stop()
        postgres = nil
        await supervisor.stopAll()
    }
}
