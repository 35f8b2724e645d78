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

    /// Starts what is not configured externally and points `configuration`'s functions at it as
    /// infra/ points them at AWS: each database role's connection string stored as a secret in
    /// the local AWS, each function with its own role there; returns each role's connection
    /// string.
    ///
    /// With real AWS the functions sign with the environment's credentials, so the local
    /// database's secrets are kept in a local Secrets Manager (moto, without signature checks)
    /// that `AWS_ENDPOINT_URL_SECRETS_MANAGER` points them at; everything else is AWS's.
    @discardableResult
    public func start(configuring configuration: inout EmulatorConfiguration) async throws -> [DatabaseRole: String] {
        let databaseURLs = try await startDatabase()
        let aws = try await LocalAWS.start(
            projectRoot: options.projectRoot, region: options.region, supervisor: supervisor,
            checksSignatures: !options.usesRealAWS)
        localAWS = aws
        if options.usesRealAWS {
            let deployment = try await aws.deploy(functions: [], databaseURLs: databaseURLs, installation: "local")
            configuration.databaseSecrets = deployment.databaseSecrets
            configuration.awsEnvironment["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = aws.endpoint.absoluteString
            let credentials = try AWSConfiguration(
                environment: options.environment.merging(["AWS_REGION": options.region]) { own, _ in own }
            ).credentials
            configuration.sharedCredentials = credentials
        } else {
            try await configuration.deploy(on: aws, databaseURLs: databaseURLs, installation: "local")
        }
        return databaseURLs
    }

    /// The external database's connection strings when all three are configured, else the
    /// embedded cluster's.
    private func startDatabase() async throws -> [DatabaseRole: String] {
        let appRoles = DatabaseRole.allCases.filter { $0 != .owner }
        let external = appRoles.compactMap { role in options.environment[role.databaseURLVariable].map { (role, $0) } }
        if external.count == appRoles.count { return Dictionary(uniqueKeysWithValues: external) }
        let embedded = EmbeddedPostgres(
            configuration: .init(
                dataDirectory: options.dataFolder.appendingPathComponent("postgres").path,
                migrationsDirectory: options.projectRoot.appendingPathComponent("migrations").path))
        try await embedded.start()
        postgres = embedded
        var databaseURLs: [DatabaseRole: String] = [:]
        for role in appRoles {
            databaseURLs[role] = try await embedded.connectionString(for: role, transport: .tcp)
        }
        return databaseURLs
    }

    /// Stops every embedded service.
    public func stop() async {
        await postgres?.stop()
        postgres = nil
        await supervisor.stopAll()
    }
}
