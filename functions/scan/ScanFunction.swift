import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The scan function: cloud accounts and scans over REST, and the scan jobs it hands to
/// itself by async invoke (DESIGN.md section 3).
struct ScanFunction: LambdaHandler {
    /// What an invocation returns: an HTTP response, or how a job ended (`{"outcome": ...}`).
    typealias Output = HTTPOrJobOutput<[String: String]>

    let api: ScanAPI
    let runner: ScanRunner
    let invoker: JobQueue

    static func live(environment: [String: String]) async throws -> ScanFunction {
        var reader = EnvironmentReader(environment)
        return try await live(configuration: ScanConfiguration(reading: &reader))
    }

    static func live(configuration: ScanConfiguration) async throws -> ScanFunction {
        let aws = configuration.platform.aws
        let http = HTTPClient(configuration: configuration.platform.http)
        let (database, requestLog) = try await configuration.platform.openDatabase(httpClient: http)
        let clerk = try configuration.clerk.map { try ClerkSessionVerifier(configuration: $0, httpClient: http) }
        // AWS_ENDPOINT_URL_LAMBDA names the Lambda that runs KloudHub's own functions (the
        // emulator points it at itself); a customer's Lambda functions are read from AWS.
        var customerAWS = aws
        customerAWS.serviceEndpointURLs[AWSService.lambda.environmentKey] = nil
        let connections = CloudConnections(
            database: database, configuration: customerAWS, httpClient: http,
            sealer: SecretSealer(
                kms: KMSClient(configuration: aws, httpClient: http), keyID: configuration.credentialsKey))
        let invoker = JobQueue(
            lambda: LambdaClient(configuration: aws, httpClient: http),
            functionName: configuration.platform.functionName)
        return ScanFunction(
            api: ScanAPI(
                authenticator: Authenticator(database: database, clerk: clerk), database: database,
                connections: connections, invoker: invoker, requestLog: requestLog),
            runner: ScanRunner(store: ScanStore(database: database), connections: connections), invoker: invoker)
    }

    func handle(_ event: LambdaEvent, context: LambdaContext) async throws -> Output {
        switch event {
        case .http(let request):
            return .http(await api.handle(request, context: context))
        case .job(let event):
            guard let job = ScanJob(event) else { throw ScanJobError(errorType: "InvalidJob") }
            let deadline = ContinuousClock.now.advanced(by: context.remainingTime)
            let outcome = try await runner.run(
                scanID: job.scanID, account: job.accountID, deadline: deadline, logger: context.logger
            ) {
                var next = job
                next.attempt += 1
                try await invoker.start(next)
            }
            context.logger.info(
                "scan job ended", metadata: ["scan": "\(job.scanID)", "outcome": "\(outcome.rawValue)"])
            return .job(["outcome": outcome.rawValue])
        case .scheduled:
            throw ScanJobError(errorType: "UnsupportedEvent")
        }
    }
}

/// A job the function cannot run.
struct ScanJobError: LambdaReportableError {
    var errorType: String
}
