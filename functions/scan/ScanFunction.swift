import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The scan function: cloud accounts and scans over REST, and the scan jobs it hands to
/// itself by async invoke (DESIGN.md section 3).
struct ScanFunction: LambdaHandler {
    /// What an invocation returns: an HTTP response, or how a job ended.
    enum Output: Encodable, Sendable {
        case http(APIGatewayV2Response)
        case job(ScanRunner.Outcome)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .http(let response): try response.encode(to: encoder)
            case .job(let outcome): try ["outcome": outcome.rawValue].encode(to: encoder)
            }
        }
    }

    let api: ScanAPI
    let runner: ScanRunner
    let invoker: JobInvoker

    static func live(environment: [String: String]) throws -> ScanFunction {
        guard let url = environment["DATABASE_URL"] else {
            throw ConfigurationError(variable: "DATABASE_URL", reason: "the worker role's connection string")
        }
        guard let keyID = environment["KLOUDHUB_KMS_KEY_ID"] else {
            throw ConfigurationError(variable: "KLOUDHUB_KMS_KEY_ID", reason: "the KMS key that seals access keys")
        }
        let database = PostgresClient(configuration: .init(connectionString: url))
        let aws = try AWSConfiguration(environment: environment)
        let http = HTTPClient()
        let clerk = try ClerkConfiguration(environment: environment).map {
            try ClerkSessionVerifier(configuration: $0, httpClient: http)
        }
        let connections = CloudConnections(
            database: database, configuration: aws, httpClient: http,
            sealer: SecretSealer(kms: KMSClient(configuration: aws, httpClient: http), keyID: keyID))
        let invoker = JobInvoker(
            lambda: LambdaClient(configuration: aws, httpClient: http),
            functionName: environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "scan")
        return ScanFunction(
            api: ScanAPI(
                authenticator: Authenticator(database: database, clerk: clerk), database: database,
                connections: connections, invoker: invoker),
            runner: ScanRunner(store: ScanStore(database: database), connections: connections), invoker: invoker)
    }

    func handle(_ event: LambdaEvent, context: LambdaContext) async throws -> Output {
        switch event {
        case .http(let request):
            return .http(await api.handle(request, context: context))
        case .job(let job) where job.job == JobInvoker.scanJob:
            guard let scanID = UUID(uuidString: job.id),
                let account = job.payload["account_id"]?.stringValue
                    .flatMap(UUID.init(uuidString:))
            else { throw ScanJobError(errorType: "InvalidJob") }
            let deadline = ContinuousClock.now.advanced(by: context.remainingTime)
            let outcome = try await runner.run(
                scanID: scanID, account: account, deadline: deadline, logger: context.logger
            ) {
                try await invoker.startScan(scanID, account: account, attempt: job.attempt + 1)
            }
            context.logger.info("scan job ended", metadata: ["scan": "\(scanID)", "outcome": "\(outcome.rawValue)"])
            return .job(outcome)
        case .job, .scheduled:
            throw ScanJobError(errorType: "UnsupportedEvent")
        }
    }
}

/// A job the function cannot run.
struct ScanJobError: LambdaReportableError {
    var errorType: String
}

/// Hands a scan to a fresh invocation of this function (Lambda's Event invocation).
struct JobInvoker: Sendable {
    static let scanJob = "scan.run"

    let lambda: LambdaClient
    let functionName: String

    func startScan(_ scanID: UUID, account: UUID, attempt: Int = 1) async throws {
        let job = AsyncJob(
            job: Self.scanJob, id: scanID.uuidString.lowercased(), attempt: attempt,
            payload: .object(["account_id": .string(account.uuidString.lowercased())]))
        _ = try await lambda.invoke(
            functionName: functionName, payload: try JSONStreamEncoder().encode(job), invocationType: .event)
    }
}
