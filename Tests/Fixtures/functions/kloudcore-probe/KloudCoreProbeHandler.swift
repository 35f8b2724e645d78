import FoundationEssentials
import KloudCore
import LambdaRuntime

/// A test-only function that links KloudCore: it reports which database role it is connected
/// as, signs a request with its AWS credentials, asks STS who it is and seals a secret through
/// KMS, all against the AWS its environment points at. Its binary is what the Foundation check
/// and the size benchmark measure for a function built on the shared library.
struct KloudCoreProbeHandler: LambdaHandler {
    struct ProbeError: LambdaReportableError, CustomStringConvertible {
        var errorType: String { "ProbeFailure" }
        var description: String
    }

    let database: DatabaseSecret?
    let credentials: AWSCredentials?
    let region: String
    let aws: AWSConfiguration?
    let kmsKeyID: String?
    let http = HTTPClient()

    /// Reads its settings as every function does; the database's secret is read only when
    /// `whoami` asks, so a cold start of this probe measures the runtime and KloudCore alone.
    static func live(environment: [String: String]) -> KloudCoreProbeHandler {
        var reader = EnvironmentReader(environment)
        let aws = try? AWSConfiguration(reading: &reader)
        return KloudCoreProbeHandler(
            database: try? DatabaseSecret(reading: &reader), credentials: aws?.credentials,
            region: aws?.region ?? "us-east-1", aws: aws, kmsKeyID: reader.value(.credentialsKey))
    }

    func handle(_ event: JSONValue, context: LambdaContext) async throws -> JSONValue {
        switch event["action"]?.stringValue {
        case "whoami":
            guard let secret = database, let aws else { throw ProbeError(description: "no database secret") }
            let database = PostgresClient(
                configuration: .init(
                    connectionString: try await secret.connectionString(aws: aws, httpClient: http),
                    statementTimeout: .seconds(10)))
            let row = try database.query("select current_user::text").first
            let user = try row?.decode(String.self) ?? ""
            var roles: [JSONValue] = []
            for role in ["kloudhub_api", "kloudhub_worker", "kloudhub_maintenance"] {
                let member = try database.query("select pg_has_role(current_user, \(role), 'member')").first
                if try member?.decode(Bool.self) == true { roles.append(.string(role)) }
            }
            return .object(["user": .string(user), "roles": .array(roles)])
        case "sign":
            guard let credentials else { throw ProbeError(description: "no AWS credentials") }
            let request = SignableRequest(
                method: "GET", path: "/", queryItems: [.init(name: "Action", value: "GetCallerIdentity")],
                headers: [.init(name: "Host", value: "sts.\(region).amazonaws.com")])
            let signed = try SigV4Signer(service: "sts", region: region).sign(request, using: credentials, at: Date())
            return .object(["signature": .string(signed.signature)])
        case "caller":
            guard let aws else { throw ProbeError(description: "no AWS configuration") }
            let identity = try await STSClient(configuration: aws, httpClient: http).getCallerIdentity()
            return .object(["account": .string(identity.account), "arn": .string(identity.arn)])
        case "seal":
            guard let aws, let kmsKeyID else { throw ProbeError(description: "no AWS configuration or KMS key") }
            let sealer = SecretSealer(kms: KMSClient(configuration: aws, httpClient: http), keyID: kmsKeyID)
            let owner = SecretOwner(accountID: "probe-account", cloudAccountID: "probe-cloud")
            let secret = SecretBytes(copying: event["secret"]?.stringValue ?? "")
            let opened = try await sealer.open(try await sealer.seal(secret, for: owner), for: owner)
            return .object(["roundTrip": .bool(opened.isEqual(to: secret))])
        default:
            throw ProbeError(description: "unknown action")
        }
    }
}
