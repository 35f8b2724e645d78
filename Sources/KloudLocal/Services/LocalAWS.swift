import Foundation

/// The emulator's stand-in for AWS: a moto server on a free loopback port, checking SigV4
/// signatures, seeded with KloudHub's own KMS key, buckets and SES identity, an IAM user whose
/// key the functions sign with, and a demo customer account reachable by AssumeRole.
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

    /// The variables that point a function at this AWS, as the SDKs read them.
    public var functionEnvironment: [String: String] {
        var environment = [
            "AWS_ENDPOINT_URL": endpoint.absoluteString,
            "AWS_ACCESS_KEY_ID": seed.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": seed.secretAccessKey,
            "KLOUDHUB_KMS_KEY_ID": seed.kmsKeyARN,
            "KLOUDHUB_NOTIFICATION_SENDER": "notifications@kloudhub.local",
        ]
        for (purpose, bucket) in seed.buckets { environment["KLOUDHUB_\(purpose.uppercased())_BUCKET"] = bucket }
        return environment
    }

    /// Starts moto under `supervisor` and seeds it.
    ///
    /// The server is `../shared/tools/moto_server_sigv4.py` beside the project when present (moto
    /// with its signature check fixed), else moto's own server. Python is the project's `.venv`.
    public static func start(projectRoot: URL, region: String, supervisor: ServiceSupervisor) async throws -> LocalAWS {
        let python = pythonInterpreter(projectRoot: projectRoot)
        let port = try PortProbe.freePort()
        let patched = projectRoot.deletingLastPathComponent().appendingPathComponent(
            "shared/tools/moto_server_sigv4.py")
        let server = FileManager.default.fileExists(atPath: patched.path) ? [patched.path] : ["-m", "moto.server"]
        try await supervisor.start(
            EmbeddedServiceSpec(
                name: "local-aws", executable: python, arguments: server + ["-H", "127.0.0.1", "-p", String(port)],
                environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "0"], port: port, startTimeout: .seconds(60)))
        let endpoint = URL(string: "http://127.0.0.1:\(port)")!
        let script = projectRoot.appendingPathComponent("scripts/local_aws_seed.py").path
        let outcome = try await CommandRunner.run(python, [script, endpoint.absoluteString, region])
        guard outcome.status == 0, let seed = try? JSONDecoder().decode(Seed.self, from: outcome.output) else {
            throw EmulatorError.serviceSeedFailed(
                "local AWS", String(decoding: outcome.errorOutput.suffix(2000), as: UTF8.self))
        }
        return LocalAWS(endpoint: endpoint, region: region, seed: seed)
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
}
