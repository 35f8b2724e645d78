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
        let url = try await DatabaseConnectionString.resolve(environment: environment, role: "worker")
        let database = PostgresClient(configuration: .init(connectionString: url))
        let aws = try AWSConfiguration(environment: environment)
        let http = HTTPClient(configuration: .init(environment: environment))
        let clerk = try ClerkConfiguration(environment: environment).map {
            try ClerkSessionVerifier(configuration: $0, httpClient: http)
        }
        func bucket(_ purpose: String) -> String? {
            environment[AccountStorage.bucketVariables[purpose]!].flatMap { $0.isEmpty ? nil : $0 }
        }
        let s3 = S3Client(configuration: aws, httpClient: http)
        let sealer = environment["KLOUDHUB_KMS_KEY_ID"].map {
            SecretSealer(kms: KMSClient(configuration: aws, httpClient: http), keyID: $0)
        }
        // AWS_ENDPOINT_URL_LAMBDA names the Lambda that runs KloudHub's own functions.
        var customerAWS = aws
        customerAWS.serviceEndpointURLs[AWSService.lambda.environmentKey] = nil
        let connections = CloudConnections(
            database: database, configuration: customerAWS, httpClient: http, sealer: sealer)
        let terraform = Terraform(environment: environment)
        let klouds = KloudStore(database: database, s3: s3, bucket: bucket("blueprints"), sealer: sealer)
        let jobs = JobQueue(
            lambda: LambdaClient(configuration: aws, httpClient: http),
            functionName: environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "deploy")
        let outbox = environment[NotificationOutbox.senderVariable].map {
            NotificationOutbox(database: database, ses: SESClient(configuration: aws, httpClient: http), sender: $0)
        }
        // Runs need Terraform, the state bucket and the logs bucket; without them Klouds can
        // still be read, and starting a deployment is refused.
        var runner: DeploymentRunner?
        if terraform.isAvailable, let state = bucket("state"), let logs = bucket("logs") {
            runner = DeploymentRunner(
                database: database, connections: connections, klouds: klouds, terraform: terraform, s3: s3,
                stateBucket: state, logsBucket: logs, ownAWS: aws, environment: environment, outbox: outbox)
        }
        return DeployFunction(
            api: DeployAPI(
                authenticator: Authenticator(database: database, clerk: clerk), database: database, klouds: klouds,
                validator: TerraformValidator(terraform: terraform),
                deployments: runner.map { _ in DeploymentQueue(database: database, jobs: jobs) }, s3: s3,
                logsBucket: bucket("logs")),
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
