import Foundation
import KloudCore

/// The emulator's stand-in for AWS: a moto server on a free loopback port, checking SigV4
/// signatures, seeded with KloudHub's own KMS key, buckets and SES identity, and a demo customer
/// account reachable by AssumeRole; `deploy` gives each function a role of its own to sign with.
public struct LocalAWS: Sendable {
    /// A customer account to connect: a role that trusts KloudHub's account with an external id.
    public struct DemoCustomer: Sendable, Decodable {
        public var accountID: String
        public var roleARN: String
        public var externalID: String
    }

    /// What the seed created.
    public struct Seed: Sendable, Decodable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var accountID: String
        public var kmsKeyID: String
        public var kmsKeyARN: String
        public var buckets: [String: String]
        public var demoCustomer: DemoCustomer
    }

    public let endpoint: URL
    public let region: String
    public let seed: Seed
    /// The project's root, where the seeding and deployment scripts are.
    let projectRoot: URL

    /// KloudHub's administrator credentials in this AWS (the seed's IAM user, allowed
    /// everything): for the emulator's own calls and the tests', never a function's.
    public var adminCredentials: AWSCredentials {
        AWSCredentials(accessKeyID: seed.accessKeyID, secretAccessKey: seed.secretAccessKey)
    }

    /// How a client of this AWS is configured, with the administrator's credentials.
    public var adminConfiguration: AWSConfiguration {
        AWSConfiguration(
            region: region, credentials: adminCredentials, endpointURL: try? AWSEndpoint(url: endpoint.absoluteString))
    }

    /// The settings this AWS gives KloudHub's functions: the KMS key, the buckets, the
    /// notification sender.
    public var settings: [Setting: String] {
        var settings: [Setting: String] = [
            .credentialsKey: seed.kmsKeyARN, .notificationSender: "notifications@kloudhub.local",
        ]
        for (purpose, bucket) in seed.buckets {
            if let setting = AccountStorage.bucketSettings[purpose] { settings[setting] = bucket }
        }
        return settings
    }

    /// Starts moto under `supervisor` and seeds it.
    ///
    /// The server is `scripts/local_aws_server.py` (a secret is authorized as the resource it is)
    /// over `../shared/tools/moto_server_sigv4.py` beside the project when present (moto with its
    /// signature check fixed), else over moto's own server. Python is the project's `.venv`.
    ///
    /// Without signature checks (`checksSignatures: false`), any credentials are taken: for the
    /// local Secrets Manager beside real AWS.
    public static func start(
        projectRoot: URL, region: String, supervisor: ServiceSupervisor, checksSignatures: Bool = true
    ) async throws -> LocalAWS {
        let python = pythonInterpreter(projectRoot: projectRoot)
        let port = try PortProbe.freePort()
        let patched = projectRoot.deletingLastPathComponent().appendingPathComponent(
            "shared/tools/moto_server_sigv4.py")
        let server = [
            projectRoot.appendingPathComponent("scripts/local_aws_server.py").path,
            FileManager.default.fileExists(atPath: patched.path) ? patched.path : "moto.server",
        ]
        try await supervisor.start(
            EmbeddedServiceSpec(
                name: "local-aws", executable: python, arguments: server + ["-H", "127.0.0.1", "-p", String(port)],
                environment: checksSignatures ? ["INITIAL_NO_AUTH_ACTION_COUNT": "0"] : [:], port: port,
                startTimeout: .seconds(60)))
        let endpoint = URL(string: "http://127.0.0.1:\(port)")!
        let script = projectRoot.appendingPathComponent("scripts/local_aws_seed.py").path
        let outcome = try await CommandRunner.run(
            python, [script, endpoint.absoluteString, region] + (checksSignatures ? [] : ["unchecked"]))
        guard outcome.status == 0, let seed = try? JSONDecoder().decode(Seed.self, from: outcome.output) else {
            throw EmulatorError.serviceSeedFailed(
                "local AWS", String(decoding: outcome.errorOutput.suffix(2000), as: UTF8.self))
        }
        return LocalAWS(endpoint: endpoint, region: region, seed: seed, projectRoot: projectRoot)
    }

    /// The project's virtual environment's Python, else the first `python3` on the PATH.
    static func pythonInterpreter(projectRoot: URL) -> URL {
        let venv = projectRoot.appendingPathComponent(".venv/bin/python")
        if FileManager.default.isExecutableFile(atPath: venv.path) { return venv }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "/usr/bin/python3")
    }

    // MARK: - Deploying the functions

    /// KloudHub's functions deployed onto this AWS, as infra/ deploys them onto AWS.
    public struct Deployment: Sendable {
        /// The secret holding each database role's connection string.
        public var databaseSecrets: [DatabaseRole: String]
        /// Each function's temporary credentials for its own role.
        public var functionCredentials: [String: AWSCredentials]
    }

    /// Deploys `functions` as infra/ does: each gets a role whose policy allows exactly its
    /// manifest's `awsActions` and reading its database role's secret (moto checks both), and
    /// each database role's connection string is stored as a secret of `installation`.
    public func deploy(
        functions: [FunctionManifest], databaseURLs: [DatabaseRole: String], installation: String
    ) async throws -> Deployment {
        struct Request: Encodable {
            struct Admin: Encodable {
                var accessKeyID: String
                var secretAccessKey: String
            }
            struct Function: Encodable {
                var name: String
                var awsActions: [String]
                var databaseRole: String?
            }
            var installation: String
            var admin: Admin
            var databaseURLs: [String: String]
            var functions: [Function]
        }
        struct Answer: Decodable {
            struct Credentials: Decodable {
                var accessKeyID: String
                var secretAccessKey: String
                var sessionToken: String
            }
            var secrets: [String: String]
            var functions: [String: Credentials]
        }
        let request = Request(
            installation: installation,
            admin: .init(accessKeyID: seed.accessKeyID, secretAccessKey: seed.secretAccessKey),
            databaseURLs: Dictionary(uniqueKeysWithValues: databaseURLs.map { ($0.key.rawValue, $0.value) }),
            functions: functions.map {
                .init(name: $0.name, awsActions: $0.awsActions, databaseRole: $0.databaseRole?.rawValue)
            })
        let script = projectRoot.appendingPathComponent("scripts/local_aws_provision.py").path
        // The request holds the database passwords: a file only this user reads, never argv.
        let requestFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kloudhub-provision-\(UUID().uuidString).json")
        guard
            FileManager.default.createFile(
                atPath: requestFile.path, contents: try JSONEncoder().encode(request),
                attributes: [.posixPermissions: 0o600])
        else { throw EmulatorError.serviceSeedFailed("local AWS deployment", "cannot write \(requestFile.path)") }
        defer { try? FileManager.default.removeItem(at: requestFile) }
        let outcome = try await CommandRunner.run(
            Self.pythonInterpreter(projectRoot: projectRoot),
            [script, endpoint.absoluteString, region, requestFile.path])
        guard outcome.status == 0, let answer = try? JSONDecoder().decode(Answer.self, from: outcome.output) else {
            throw EmulatorError.serviceSeedFailed(
                "local AWS deployment", String(decoding: outcome.errorOutput.suffix(2000), as: UTF8.self))
        }
        var secrets: [DatabaseRole: String] = [:]
        for (role, arn) in answer.secrets {
            if let role = DatabaseRole(rawValue: role) { secrets[role] = arn }
        }
        return Deployment(
            databaseSecrets: secrets,
            functionCredentials: answer.functions.mapValues {
                AWSCredentials(
                    accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey, sessionToken: $0.sessionToken)
            })
    }
}
