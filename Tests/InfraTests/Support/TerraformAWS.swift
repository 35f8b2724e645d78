import Foundation
import KloudLocal
import KloudTestSupport

/// A moto server checking SigV4 signatures as AWS does (../shared/tools/moto_server_sigv4.py,
/// with the fixes of Support/moto_server_fixed.py), and an IAM user allowed everything whose key
/// terraform signs with.
struct TerraformAWS: Sendable {
    let endpoint: String
    let accessKeyID: String
    let secretAccessKey: String
    let supervisor: ServiceSupervisor

    static var python: URL {
        URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"]
                ?? Terraform.packageRoot.appendingPathComponent(".venv/bin/python").path)
    }

    static let support = Terraform.packageRoot.appendingPathComponent("Tests/InfraTests/Support")

    static func start() async throws -> TerraformAWS {
        let sigV4Server = Terraform.packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/tools/moto_server_sigv4.py")
        guard FileManager.default.fileExists(atPath: sigV4Server.path) else {
            throw TerraformError(command: "moto", output: "\(sigV4Server.path) is missing (../shared/tools)")
        }
        let supervisor = ServiceSupervisor(log: EmulatorLog { _ in })
        let port = try PortProbe.freePort()
        try await supervisor.start(
            EmbeddedServiceSpec(
                name: "moto", executable: python,
                arguments: [
                    support.appendingPathComponent("moto_server_fixed.py").path, sigV4Server.path, "-H", "127.0.0.1",
                    "-p", String(port),
                ],
                // AWS's managed policies (RDS's monitoring role) exist in moto only when loaded.
                environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "0", "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"],
                port: port, startTimeout: .seconds(90)))
        let endpoint = "http://127.0.0.1:\(port)"
        let seeded = try await CommandRunner.run(
            python, [support.appendingPathComponent("terraform_aws.py").path, "seed", endpoint])
        guard seeded.status == 0,
            let key = try JSONSerialization.jsonObject(with: seeded.output) as? [String: String],
            let accessKeyID = key["accessKeyID"], let secretAccessKey = key["secretAccessKey"]
        else {
            await supervisor.stopAll()
            throw TerraformError(command: "terraform_aws.py seed", output: seeded.allText)
        }
        return TerraformAWS(
            endpoint: endpoint, accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, supervisor: supervisor)
    }

    /// What a terraform or boto3 process needs to reach this AWS.
    var environment: [String: String] {
        [
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secretAccessKey,
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        ]
    }

    /// Every resource of the kinds infra/ creates, as "kind name" strings.
    func inventory() async throws -> Set<String> {
        let outcome = try await CommandRunner.run(
            Self.python, [Self.support.appendingPathComponent("terraform_aws.py").path, "inventory", endpoint],
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, own in own })
        guard outcome.status == 0, let names = try JSONSerialization.jsonObject(with: outcome.output) as? [String]
        else { throw TerraformError(command: "terraform_aws.py inventory", output: outcome.allText) }
        return Set(names)
    }

    func stop() async { await supervisor.stopAll() }
}
