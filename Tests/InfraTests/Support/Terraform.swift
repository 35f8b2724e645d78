import Foundation
import KloudLocal
import KloudTestSupport

/// The `terraform` command on infra/, set up as the tests need it: providers only from the
/// machine's filesystem mirror (a CLI configuration file written here, no registry), and its
/// working data and state in a folder of the test's own, so the work tree is left as it was.
struct Terraform: Sendable {
    static let packageRoot = URL(fileURLWithPath: TestEnvironment.packageRoot)
    static let infra = packageRoot.appendingPathComponent("infra")

    let workFolder: URL
    var environment: [String: String]

    /// A terraform for a fresh work folder; fails when terraform or the provider mirror is missing.
    static func prepare(label: String) async throws -> Terraform {
        let workFolder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kloudhub-terraform-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workFolder, withIntermediateDirectories: true)
        let mirror = try await CommandRunner.run(
            URL(fileURLWithPath: "/bin/bash"), [packageRoot.appendingPathComponent("scripts/terraform-mirror.sh").path])
        guard mirror.status == 0 else {
            throw TerraformError(command: "terraform-mirror.sh", output: mirror.errorOutputText)
        }
        let configuration = workFolder.appendingPathComponent("terraform.rc")
        try """
        provider_installation {
          filesystem_mirror {
            path    = "\(mirror.text.trimmingCharacters(in: .whitespacesAndNewlines))"
            include = ["registry.terraform.io/*/*"]
          }
          direct {
            exclude = ["registry.terraform.io/*/*"]
          }
        }

        """.write(to: configuration, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["TF_CLI_CONFIG_FILE"] = configuration.path
        environment["TF_DATA_DIR"] = workFolder.appendingPathComponent("data").path
        environment["TF_IN_AUTOMATION"] = "1"
        environment["CHECKPOINT_DISABLE"] = "1"
        return Terraform(workFolder: workFolder, environment: environment)
    }

    var statePath: String { workFolder.appendingPathComponent("terraform.tfstate").path }

    /// Runs `terraform ARGUMENTS` in infra/ and returns the outcome, whatever its status.
    func run(_ arguments: [String]) async throws -> CommandRunner.Outcome {
        let path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin").split(separator: ":")
        guard
            let executable = path.map({ URL(fileURLWithPath: String($0)).appendingPathComponent("terraform") })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
        else { throw TerraformError(command: "terraform", output: "terraform is not on the PATH") }
        return try await CommandRunner.run(
            executable, arguments + (arguments.first == "fmt" ? [] : ["-no-color"]), environment: environment,
            workingDirectory: Self.infra.path)
    }

    /// Runs `terraform ARGUMENTS` and fails unless it exits 0.
    @discardableResult
    func succeed(_ arguments: [String]) async throws -> CommandRunner.Outcome {
        let outcome = try await run(arguments)
        guard outcome.status == 0 else {
            throw TerraformError(command: "terraform " + arguments.joined(separator: " "), output: outcome.allText)
        }
        return outcome
    }

    /// `terraform init` from the mirror only, keeping the committed lock file as it is.
    func initialize() async throws {
        try await succeed(["init", "-input=false", "-backend=false", "-lockfile=readonly"])
    }

    func removeWorkFolder() {
        try? FileManager.default.removeItem(at: workFolder)
    }
}

/// A terraform command that failed, with what it printed.
struct TerraformError: Error, CustomStringConvertible {
    let command: String
    let output: String

    var description: String { "\(command) failed:\n\(output.suffix(6000))" }
}

extension CommandRunner.Outcome {
    var errorOutputText: String { String(decoding: errorOutput, as: UTF8.self) }
    var allText: String { text + errorOutputText }
}
