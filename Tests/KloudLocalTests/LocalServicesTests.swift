import Foundation
import KloudCore
import Testing

@testable import KloudLocal

/// `kloudhub-local up`'s embedded services: PostgreSQL with the migrations applied and each
/// function connected as its manifest's role, and moto as the local AWS checking signatures.
@Suite("Embedded services")
struct LocalServicesTests {
    @Test func functionsGetTheirRoleDatabaseAndTheLocalAWS() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("services-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let services = LocalServices(
            options: .init(
                projectRoot: TestPaths.packageRoot, dataFolder: data, region: "us-east-1", usesRealAWS: false,
                environment: ProcessInfo.processInfo.environment),
            log: LogRecorder().log())
        let databaseURLs: [DatabaseRole: String]
        var configured = EmulatorConfiguration(
            functionFolders: [TestPaths.fixtureFunctions], binaryFolder: TestPaths.binaries)
        do {
            databaseURLs = try await services.start(configuring: &configured)
        } catch {
            await services.stop()
            throw error
        }
        let local = try await TestEmulator.start {
            $0.settings = configured.settings
            $0.databaseSecrets = configured.databaseSecrets
            $0.awsEnvironment = configured.awsEnvironment
            $0.functionCredentials = configured.functionCredentials
        }
        defer {
            Task {
                await local.stop()
                await services.stop()
            }
        }
        #expect(Set(databaseURLs.keys) == [.api, .worker, .maintenance])

        let seen = try await local.invokeObject(#"{"action":"environment"}"#)
        #expect(seen["DATABASE_URL"] == nil)
        let secretARN = try #require(seen["KLOUDHUB_DATABASE_SECRET_ARN"] as? String)
        #expect(secretARN == configured.databaseSecrets[.api], "the probe's manifest names the api role")
        let aws = try #require(await services.localAWS)
        let databaseURL = try await DatabaseSecret(secretARN: secretARN).connectionString(
            aws: aws.adminConfiguration, httpClient: HTTPClient())
        #expect(databaseURL == databaseURLs[.api])
        let client = PostgresClient(configuration: .init(connectionString: databaseURL))
        defer { try? client.close() }
        let isAPI = try #require(client.query("select pg_has_role(current_user, 'kloudhub_api', 'member')").first)
        #expect(try isAPI.decode(Bool.self))
        #expect(throws: PostgresError.self) {
            try client.query("select credential_ciphertext from kloudhub.cloud_accounts")
        }

        let worker = try await local.invokeObject(#"{"action":"whoami"}"#, function: "kloudcore-probe")
        #expect(
            worker["roles"] as? [String] == ["kloudhub_worker"], "a function built on KloudCore, as its manifest's role"
        )
        let signed = try await local.invokeObject(#"{"action":"sign"}"#, function: "kloudcore-probe")
        #expect((signed["signature"] as? String)?.count == 64)

        let caller = try await local.invokeObject(#"{"action":"caller"}"#, function: "kloudcore-probe")
        #expect(caller["account"] as? String == aws.seed.accountID, "signed by KloudCore, checked by the local AWS")
        #expect(
            (caller["arn"] as? String)?.contains(":assumed-role/kloudhub-local-kloudcore-probe-function/") == true,
            "the function's own role, as Lambda gives it")
        let sealed = try await local.invokeObject(#"{"action":"seal","secret":"canary"}"#, function: "kloudcore-probe")
        #expect(sealed["roundTrip"] as? Bool == true)
        #expect(seen["AWS_ENDPOINT_URL"] as? String == aws.endpoint.absoluteString)
        #expect(seen["KLOUDHUB_KMS_KEY_ID"] as? String == aws.seed.kmsKeyARN)
        let python = LocalAWS.pythonInterpreter(projectRoot: TestPaths.packageRoot)
        let script = """
            import boto3, sys, json
            def s3(secret):
                return boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                                    aws_access_key_id=sys.argv[2], aws_secret_access_key=secret)
            names = sorted(b["Name"] for b in s3(sys.argv[3]).list_buckets()["Buckets"])
            try:
                s3("not-the-secret").list_buckets()
                refused = None
            except Exception as error:
                refused = error.response["Error"]["Code"]
            print(json.dumps({"buckets": names, "refused": refused}))
            """
        let outcome = try await CommandRunner.run(
            python, ["-c", script, aws.endpoint.absoluteString, aws.seed.accessKeyID, aws.seed.secretAccessKey])
        let answer = try JSONSerialization.jsonObject(with: outcome.output) as? [String: Any]
        #expect(
            answer?["buckets"] as? [String]
                == [
                    "kloudhub-local-blueprints", "kloudhub-local-exports", "kloudhub-local-logs",
                    "kloudhub-local-state",
                ])
        #expect(answer?["refused"] as? String == "SignatureDoesNotMatch")
    }
}
