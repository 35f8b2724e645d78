import Foundation
import KloudCore
import KloudLocal
import Testing

@testable import account_delete
@testable import authorize
@testable import deploy
@testable import mcp
@testable import retention_sweep
@testable import scan
@testable import token

/// Each function reads its configuration once, at init, from one reader, and reads exactly the
/// settings its manifest lists (and its database role's secret): never a variable infra/ does
/// not give it, as the request log once read `DATABASE_URL`, which AWS never set.
@Suite struct ConfigurationParityTests {
    /// Each function's configuration, built from an environment through a reader.
    static let configurations: [String: @Sendable (inout EnvironmentReader) throws -> Void] = [
        "account-delete": { _ = try AccountDeleteConfiguration(reading: &$0) },
        "authorize": { _ = try AuthorizeConfiguration(reading: &$0) },
        "deploy": { _ = try DeployConfiguration(reading: &$0) },
        "mcp": { _ = try MCPConfiguration(reading: &$0) },
        "retention-sweep": { _ = try RetentionSweepConfiguration(reading: &$0) },
        "scan": { _ = try ScanConfiguration(reading: &$0) },
        "token": { _ = try TokenConfiguration(reading: &$0) },
    ]

    static func manifests() throws -> [FunctionManifest] {
        try ManifestLoader.loadAll(in: Terraform.packageRoot.appendingPathComponent("functions"))
    }

    /// The settings and secret a function's manifest says it is given (infra/ adds LOG_LEVEL,
    /// which the runtime reads, and the manifest's own environment).
    static func expectedSettings(of manifest: FunctionManifest) -> Set<String> {
        Set(manifest.configuration.map(\.rawValue) + (manifest.databaseRole == nil ? [] : [Setting.databaseSecret]))
    }

    /// Every setting set, with values a configuration accepts, as Lambda would start a function.
    static let everySetting: [String: String] = {
        var environment: [String: String] = [
            "AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "ASIAPARITYTEST000001", "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_SESSION_TOKEN": "t", "AWS_LAMBDA_FUNCTION_NAME": "kloudhub-test-probe",
            Setting.databaseSecret: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:x",
        ]
        for setting in Setting.allCases {
            environment[setting.rawValue] =
                switch setting {
                case .publicURL, .clerkIssuer, .clerkAuthorizedParties: "https://kloudhub.test"
                case .clerkJWTKey: "-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----"
                default: "value-of-\(setting.rawValue.lowercased())"
                }
        }
        return environment
    }()

    @Test func everyFunctionHasAConfigurationHere() throws {
        #expect(Set(Self.configurations.keys) == Set(try Self.manifests().map(\.name)))
    }

    @Test func everyFunctionReadsExactlyWhatItsManifestLists() throws {
        for manifest in try Self.manifests() {
            let build = try #require(Self.configurations[manifest.name], "\(manifest.name) has no entry")
            var reader = EnvironmentReader(Self.everySetting)

            try build(&reader)

            let switches = Set(DevelopmentSwitch.allCases.map(\.rawValue))
            #expect(
                reader.kloudHubNames.subtracting(switches) == Self.expectedSettings(of: manifest),
                "\(manifest.name) reads \(reader.kloudHubNames.subtracting(switches).sorted())")
        }
    }

    @Test func aFunctionWithoutItsSecretDoesNotStart() throws {
        for manifest in try Self.manifests() where manifest.databaseRole != nil {
            var environment = Self.everySetting
            environment[Setting.databaseSecret] = nil
            environment["DATABASE_URL"] = "postgresql://kloudhub_api@db.example.com/kloudhub"
            var reader = EnvironmentReader(environment)
            #expect(throws: ConfigurationError.self, "\(manifest.name)") {
                try Self.configurations[manifest.name]!(&reader)
            }
        }
    }
}
