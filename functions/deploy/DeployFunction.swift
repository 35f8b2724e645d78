import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The deploy function: Klouds and deployments over REST, and the deployment runs it hands to
/// itself by async invoke (DESIGN.md section 3).
struct DeployFunction: LambdaHandler {
    /// What an invocation returns: an HTTP response, or how a job ended (`{"outcome": ...}`).
    typealias Output = HTTPOrJobOutput<[String: String]>

    let api: DeployAPI
    /// Nil where Terraform or the buckets are not configured.
    let runner: DeploymentRunner?

    static func live(environment: [String: String]) async throws -> DeployFunction {
        var reader = EnvironmentReader(environment)
        return try await live(configuration: DeployConfiguration(reading: &reader))
    }

    static func live(configuration: DeployConfiguration) async throws -> DeployFunction {
        let aws = configuration.platform.aws
        let http = HTTPClient(configuration: configuration.platform.http)
        let (database, requestLog) = try await configuration.platform.openDatabase(httpClient: http)
        let clerk = try configuration.clerk.map { try ClerkSessionVerifier(configuration: $0, httpClient: http) }
        let s3 = S3Client(configuration: aws, httpClient: http)
        let sealer = SecretSealer(
            kms: KMSClient(configuration: aws, httpClient: http), keyID: configuration.credentialsKey)
        // AWS_ENDPOINT_URL_LAMBDA names the Lambda that runs KloudHub's own functions.
        var customerAWS = aws
        customerAWS.serviceEndpointURLs[AWSService.lambda.environmentKey] = nil
        let connections = CloudConnections(
            database: database, configuration: customerAWS, httpClient: http, sealer: sealer)
        let terraform = configuration.terraform
        let klouds = KloudStore(database: database, s3: s3, bucket: configuration.blueprintsBucket, sealer: sealer)
        let jobs = JobQueue(
            lambda: LambdaClient(configuration: aws, httpClient: http),
            functionName: configuration.platform.functionName)
        let outbox = configuration.notificationSender.map {
            NotificationOutbox(database: database, ses: SESClient(configuration: aws, httpClient: http), sender: $0)
        }
        // Runs need Terraform; without it Klouds can still be read, and starting a deployment
        // is refused.
        var runner: DeploymentRunner?
        if terraform.isAvailable {
            runner = DeploymentRunner(
                database: database, connections: connections, klouds: klouds, terraform: terraform, s3: s3,
                stateBucket: configuration.stateBucket, logsBucket: configuration.logsBucket, ownAWS: aws,
                terraformAWSVariables: configuration.terraformAWSVariables, outbox: outbox)
        }
        return DeployFunction(
            api: DeployAPI(
                authenticator: Authenticator(database: database, clerk: clerk), database: database, klouds: klouds,
                validator: TerraformValidator(terraform: terraform),
                deployments: runner.map { _ in DeploymentQueue(database: database, jobs: jobs) }, s3: s3,
                logsBucket: configuration.logsBucket, requestLog: requestLog),
            runner: runner)
    }

    func handle(_ event: LambdaEvent, context: LambdaContext) async throws -> Output {
        switch event {
        case .http(let request):
            return .http(await api.handle(request, context: context))
        case .job(let event):
            guard let job = DeploymentJob(event) else { throw DeployJobError(errorType: "InvalidJob") }
            guard let runner else { throw DeployJobError(errorType: "DeploymentsNotConfigured") }
            let outcome = try await runner.run(
                job, deadline: ContinuousClock.now.advanced(by: context.remainingTime), logger: context.logger)
            context.logger.info(
                "deployment ended", metadata: ["deployment": "\(job.deploymentID)", "outcome": "\(outcome.rawValue)"])
            return .job(["outcome": outcome.rawValue])
        case .scheduled:
            throw DeployJobError(errorType: "UnsupportedEvent")
        }
    }
}

/// A job the function cannot run.
struct DeployJobError: LambdaReportableError {
    var errorType: String
}
