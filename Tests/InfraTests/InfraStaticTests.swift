import Foundation
import KloudLocal
import Testing

/// infra/ as written: canonical formatting, a valid configuration, and no finding of checkov
/// that is not skipped with its reason beside the resource.
@Suite struct InfraStaticTests {
    @Test func isFormattedAsTerraformFormatsIt() async throws {
        let terraform = try await Terraform.prepare(label: "fmt")
        defer { terraform.removeWorkFolder() }
        let outcome = try await terraform.run(["fmt", "-check", "-recursive", "-diff", "."])
        #expect(outcome.status == 0, "terraform fmt would change:\n\(outcome.allText)")
    }

    @Test func isAValidConfiguration() async throws {
        let terraform = try await Terraform.prepare(label: "validate")
        defer { terraform.removeWorkFolder() }
        try await terraform.initialize()
        try await terraform.succeed(["validate"])
    }

    @Test func checkovFindsNothingUnjustified() async throws {
        let checkov = Terraform.packageRoot.appendingPathComponent(".venv-checkov/bin/checkov")
        try #require(FileManager.default.isExecutableFile(atPath: checkov.path), "run scripts/bootstrap.sh")
        let outcome = try await CommandRunner.run(
            checkov, ["--directory", Terraform.infra.path, "--framework", "terraform", "--compact", "--quiet"])
        #expect(outcome.status == 0, "checkov:\n\(outcome.allText.suffix(6000))")
        #expect(outcome.text.contains("Failed checks: 0"), "checkov:\n\(outcome.text.suffix(6000))")
    }

    @Test func everySkipSaysWhy() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Terraform.infra.path).filter {
            $0.hasSuffix(".tf")
        }
        for file in files {
            let text = try String(contentsOfFile: Terraform.infra.appendingPathComponent(file).path, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("checkov:skip=") {
                let reason = line.split(separator: ":", maxSplits: 2).dropFirst(2).first ?? ""
                #expect(reason.count >= 20, "\(file): a skip without its reason: \(line)")
            }
        }
    }
}
