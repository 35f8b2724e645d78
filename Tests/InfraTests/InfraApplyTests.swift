import Foundation
import KloudLocal
import KloudTestSupport
import Testing

/// The whole of infra/ applied to a local AWS that checks signatures: every resource is
/// created, a second plan has nothing to do, and destroy leaves nothing. The functions are the
/// project's manifests plus a test manifest that uses every field (schedule, invokes,
/// awsActions, databaseRole, reserved concurrency, environment).
@Suite(.serialized) struct InfraApplyTests {
    static let fixtures = Terraform.packageRoot.appendingPathComponent("Tests/InfraTests/Fixtures")

    @Test func appliesPlansNothingMoreAndDestroysEverything() async throws {
        try await withLocalAWS(label: "apply") { terraform, aws in
            let variables = try await variableArguments(terraform)
            try await terraform.initialize()
            let before = try await aws.inventory()

            let planned = try await terraform.succeed(
                ["plan", "-input=false", "-state=\(terraform.statePath)"] + variables)
            let toAdd = try #require(Self.count(in: planned.text, of: "to add"))
            try await terraform.succeed(
                ["apply", "-auto-approve", "-input=false", "-state=\(terraform.statePath)"] + variables)
            let state = try await terraform.succeed(["state", "list", "-state=\(terraform.statePath)"])
            let managed = state.text.split(separator: "\n").filter { !$0.hasPrefix("data.") }
            #expect(managed.count == toAdd, "every planned resource is in the state")
            try await expectWiring(terraform)
            let created = try await aws.inventory().subtracting(before)
            #expect(created.contains("lambda-function kloudhub-citest-infra-probe"))
            #expect(created.contains("schedule infra-probe"))

            let second = try await terraform.run(
                ["plan", "-detailed-exitcode", "-input=false", "-state=\(terraform.statePath)"] + variables)
            #expect(second.status == 0, "a second plan has changes:\n\(second.allText.suffix(6000))")

            try await terraform.succeed(
                ["destroy", "-auto-approve", "-input=false", "-state=\(terraform.statePath)"] + variables)
            let left = try await aws.inventory().subtracting(before)
            #expect(left.isEmpty, "destroy left \(left.sorted())")
        }
    }

    /// With database_mode = rds the plan holds the VPC, RDS and RDS Proxy (moto creates them,
    /// but reads back neither an instance's monitoring and Performance Insights settings nor a
    /// parameter group's parameters, so a second plan there is never empty: see README).
    @Test func plansTheRDSVariant() async throws {
        try await withLocalAWS(label: "rds") { terraform, _ in
            try await terraform.initialize()
            let variables =
                try await variableArguments(terraform) + [
                    "-var=database_mode=rds", "-var=rds={deletion_protection=false}",
                ]
            let plan = try await terraform.succeed(
                ["plan", "-input=false", "-state=\(terraform.statePath)"] + variables)
            for resource in [
                "aws_db_proxy.this[0]", "aws_db_proxy_target.this[0]", "aws_db_instance.this[0]",
                "aws_nat_gateway.this[0]",
            ] {
                #expect(plan.text.contains("# \(resource) will be created"), "the plan creates \(resource)")
            }
        }
    }

    /// Runs `body` with terraform pointed at a fresh local AWS, and stops that AWS after.
    private func withLocalAWS(
        label: String, _ body: (Terraform, TerraformAWS) async throws -> Void
    ) async throws {
        let aws = try await TerraformAWS.start()
        var terraform = try await Terraform.prepare(label: label)
        defer { terraform.removeWorkFolder() }
        terraform.environment.merge(aws.environment) { _, own in own }
        do {
            try await body(terraform, aws)
        } catch {
            await aws.stop()
            throw error
        }
        await aws.stop()
    }

    /// The variables of the test installation, with packages from `make package` where there
    /// are (dist/) and a stand-in package for any function or layer not packaged.
    private func variableArguments(_ terraform: Terraform) async throws -> [String] {
        let packages = terraform.workFolder.appendingPathComponent("packages")
        try FileManager.default.createDirectory(at: packages, withIntermediateDirectories: true)
        let dist = URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_PACKAGE_DIR"]
                ?? Terraform.packageRoot.appendingPathComponent("dist").path)
        let names = try Self.functionNames() + ["terraform-layer"]
        let standIn = terraform.workFolder.appendingPathComponent("bootstrap")
        try "#!/bin/sh\nexit 1\n".write(to: standIn, atomically: true, encoding: .utf8)
        for name in names {
            let package = packages.appendingPathComponent("\(name).zip")
            let built = dist.appendingPathComponent("\(name).zip")
            if FileManager.default.fileExists(atPath: built.path) {
                try FileManager.default.createSymbolicLink(at: package, withDestinationURL: built)
            } else {
                let zipped = try await CommandRunner.run(
                    URL(fileURLWithPath: "/usr/bin/zip"), ["-q", "-j", package.path, standIn.path])
                guard zipped.status == 0 else { throw TerraformError(command: "zip", output: zipped.allText) }
            }
        }
        return [
            "-var-file=\(Self.fixtures.appendingPathComponent("moto.tfvars").path)",
            "-var=package_dir=\(packages.path)",
            "-var=functions_dirs=[\"../functions\",\"\(Self.fixtures.appendingPathComponent("functions").path)\"]",
        ]
    }

    /// What the probe manifest asked for is what its role, schedule and routes hold.
    private func expectWiring(_ terraform: Terraform) async throws {
        let shown = try await terraform.succeed(["show", "-json", terraform.statePath])
        let resources = try StateResources(json: shown.output)
        let policy = try #require(resources.first("aws_iam_role_policy", key: "infra-probe")?["policy"] as? String)
        #expect(policy.contains("lambda:InvokeFunction") && policy.contains(":function:kloudhub-citest-token\""))
        #expect(!policy.contains(":function:kloudhub-citest-authorize"), "invokes only what the manifest names")
        #expect(policy.contains("kloudhub-citest/database/maintenance") && !policy.contains("database/api"))
        #expect(policy.contains("/accounts/*"), "object actions are scoped to the accounts/ prefix")
        let function = try #require(resources.first("aws_lambda_function", key: "infra-probe"))
        #expect(function["reserved_concurrent_executions"] as? Int == 2)
        #expect(function["runtime"] as? String == "provided.al2023")
        let group = try #require(resources.first("aws_cloudwatch_log_group", key: "infra-probe"))
        #expect(group["retention_in_days"] as? Int == 90)
        let schedule = try #require(resources.first("aws_scheduler_schedule", key: "infra-probe"))
        #expect(schedule["schedule_expression"] as? String == "rate(15 minutes)")
        #expect(resources.first("aws_apigatewayv2_route", key: "GET /v1/infra-probe/{id}") != nil)
        #expect(resources.first("aws_apigatewayv2_route", key: "POST /oauth/token") != nil)
    }

    static func functionNames() throws -> [String] {
        try [Terraform.packageRoot.appendingPathComponent("functions"), fixtures.appendingPathComponent("functions")]
            .flatMap { folder in
                try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                    FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/function.json").path)
                }
            }
    }

    /// N in terraform's "Plan: N to add, ...".
    static func count(in plan: String, of what: String) -> Int? {
        guard let line = plan.split(separator: "\n").first(where: { $0.hasPrefix("Plan:") }) else { return nil }
        let words = line.split(separator: " ")
        guard let index = words.firstIndex(of: Substring(what.split(separator: " ")[0])), index > 0 else { return nil }
        return Int(words[index - 1])
    }
}

/// The managed resources of `terraform show -json`, by type and instance key.
struct StateResources {
    let resources: [[String: Any]]

    init(json: Data) throws {
        let root = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        let module = (root?["values"] as? [String: Any])?["root_module"] as? [String: Any]
        resources = module?["resources"] as? [[String: Any]] ?? []
    }

    func first(_ type: String, key: String) -> [String: Any]? {
        resources.first { $0["type"] as? String == type && $0["index"] as? String == key }?["values"] as? [String: Any]
    }
}
