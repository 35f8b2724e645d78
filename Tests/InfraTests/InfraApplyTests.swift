import Foundation
import KloudCore
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
            let shown = try await terraform.succeed(["show", "-json", terraform.statePath])
            let resources = try StateResources(json: shown.output)
            try expectWiring(resources)
            try await expectEnvironments(resources)
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

    /// What the probe manifest asked for is what its role, schedule and routes hold in the
    /// applied state's `resources`.
    private func expectWiring(_ resources: StateResources) throws {
        let policy = try #require(resources.first("aws_iam_role_policy", key: "infra-probe")?["policy"] as? String)
        #expect(policy.contains("lambda:InvokeFunction") && policy.contains(":function:kloudhub-citest-token\""))
        #expect(!policy.contains(":function:kloudhub-citest-authorize"), "invokes only what the manifest names")
        #expect(policy.contains("kloudhub-citest/database/maintenance") && !policy.contains("database/api"))
        #expect(policy.contains("/accounts/*"), "object actions are scoped to the accounts/ prefix")
        // Only a manifest's kms actions reach the key that seals customers' credentials.
        let credentialsKey = try #require(resources.named("aws_kms_key", "credentials")?["arn"] as? String)
        #expect(policy.contains(credentialsKey), "the probe lists kms actions")
        for name in ["token", "authorize", "mcp", "retention-sweep", "account-delete"] {
            let other = try #require(resources.first("aws_iam_role_policy", key: name)?["policy"] as? String)
            #expect(!other.contains(credentialsKey), "\(name) lists no kms action, yet may use the credentials key")
        }
        for name in ["scan", "deploy"] {
            let opener = try #require(resources.first("aws_iam_role_policy", key: name)?["policy"] as? String)
            #expect(opener.contains(credentialsKey), "\(name) opens credentials")
        }
        let probe = try #require(resources.first("aws_lambda_function", key: "infra-probe"))
        let probeEnvironment = (probe["environment"] as? [[String: Any]])?.first?["variables"]
        #expect(
            Set(((probeEnvironment as? [String: Any]) ?? [:]).keys) == [
                "LOG_LEVEL", "KLOUDHUB_PUBLIC_URL", "KLOUDHUB_KMS_KEY_ID", "KLOUDHUB_DATABASE_SECRET_ARN",
                "PROBE_SETTING",
            ], "exactly the settings the probe's manifest lists")
        #expect(
            ((probeEnvironment as? [String: Any])?["KLOUDHUB_KMS_KEY_ID"] as? String) == credentialsKey,
            "the credentials key is the one setting names")
        #expect(probe["reserved_concurrent_executions"] as? Int == 2)
        #expect(probe["runtime"] as? String == "provided.al2023")
        let group = try #require(resources.first("aws_cloudwatch_log_group", key: "infra-probe"))
        #expect(group["retention_in_days"] as? Int == 90)
        let schedule = try #require(resources.first("aws_scheduler_schedule", key: "infra-probe"))
        #expect(schedule["schedule_expression"] as? String == "rate(15 minutes)")
        #expect(resources.first("aws_apigatewayv2_route", key: "GET /v1/infra-probe/{id}") != nil)
        #expect(resources.first("aws_apigatewayv2_route", key: "POST /oauth/token") != nil)
    }

    /// Each function in the applied state's `resources` is given exactly the settings its
    /// manifest lists, its database role's secret and LOG_LEVEL; and the emulator, started as
    /// `kloudhub-local up` starts it, gives each the same names (besides what Lambda itself sets,
    /// and the development switches).
    private func expectEnvironments(_ resources: StateResources) async throws {
        let manifests = try ConfigurationParityTests.manifests()
        // The test installation names Clerk's JWKS URL rather than a PEM key, and no MCP origins.
        let unset: Set<String> = [Setting.clerkJWTKey.rawValue, Setting.mcpAllowedOrigins.rawValue]
        var infra: [String: Set<String>] = [:]
        for manifest in manifests {
            let function = try #require(resources.first("aws_lambda_function", key: manifest.name))
            let environment = (function["environment"] as? [[String: Any]])?.first?["variables"] as? [String: Any]
            let given = Set((environment ?? [:]).keys)
            infra[manifest.name] = given
            let expected = ConfigurationParityTests.expectedSettings(of: manifest).subtracting(unset)
                .union([Setting.logLevel]).union(manifest.environment.keys)
            #expect(given == expected, "\(manifest.name): infra gives \(given.sorted())")
        }

        let emulated = try await Self.emulatorEnvironments()
        // Lambda's own variables and the AWS SDKs' are the platform's, not infra's; Clerk's key
        // is a PEM key in the emulator and a JWKS URL here, one setting either way.
        func comparable(_ names: Set<String>) -> Set<String> {
            Set(
                names.filter { !EnvironmentReader.isPlatformVariable($0) && DevelopmentSwitch(rawValue: $0) == nil }
                    .map { $0 == Setting.clerkJWKSURL.rawValue ? Setting.clerkJWTKey.rawValue : $0 })
        }
        for manifest in manifests {
            #expect(
                comparable(emulated[manifest.name] ?? []) == comparable(infra[manifest.name] ?? []),
                "\(manifest.name): the emulator gives \(comparable(emulated[manifest.name] ?? []).sorted())")
        }
    }

    /// The variable names each function of `functions/` starts with under `kloudhub-local up`'s
    /// own services (embedded PostgreSQL, the local AWS).
    static func emulatorEnvironments() async throws -> [String: Set<String>] {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let services = LocalServices(
            options: .init(
                projectRoot: Terraform.packageRoot, dataFolder: data, region: "us-east-1", usesRealAWS: false,
                environment: ProcessInfo.processInfo.environment),
            log: EmulatorLog { _ in })
        var configuration = EmulatorConfiguration(
            functionFolders: [Terraform.packageRoot.appendingPathComponent("functions")],
            binaryFolder: Terraform.packageRoot.appendingPathComponent(".build/debug"))
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        configuration.log = EmulatorLog { _ in }
        var environments: [String: Set<String>] = [:]
        do {
            try await services.start(configuring: &configuration)
            let emulator = try Emulator(configuration: configuration)
            _ = try await emulator.start()
            for manifest in await emulator.manifests {
                if let pool = await emulator.pool(for: manifest.name) {
                    environments[manifest.name] = Set(pool.environment.keys)
                }
            }
            await emulator.shutdown()
        } catch {
            await services.stop()
            throw error
        }
        await services.stop()
        return environments
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

    /// The values of the resource `type.name` that exists once.
    func named(_ type: String, _ name: String) -> [String: Any]? {
        resources.first { $0["type"] as? String == type && $0["name"] as? String == name && $0["index"] == nil }?[
            "values"] as? [String: Any]
    }

    func first(_ type: String, key: String) -> [String: Any]? {
        resources.first { $0["type"] as? String == type && $0["index"] as? String == key }?["values"] as? [String: Any]
    }
}
