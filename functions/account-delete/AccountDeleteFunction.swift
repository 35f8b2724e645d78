import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The account-delete function: a person's deletion request and export over HTTP
/// (``AccountEndpoints``), and the erasure itself as an async job (``ErasureJobs``) that
/// authorize's Clerk webhook and this function's own continuations queue (PP-delete, PP-rights).
struct AccountDeleteFunction: LambdaHandler {
    let endpoints: AccountEndpoints
    let jobs: ErasureJobs

    static func live(environment: [String: String]) async throws -> AccountDeleteFunction {
        var reader = EnvironmentReader(environment)
        return try await live(configuration: AccountDeleteConfiguration(reading: &reader))
    }

    static func live(configuration: AccountDeleteConfiguration) async throws -> AccountDeleteFunction {
        let aws = configuration.platform.aws
        let http = HTTPClient(configuration: configuration.platform.http)
        let (database, requestLog) = try await configuration.platform.openDatabase(
            httpClient: http, statementTimeout: .seconds(60))
        let clerk = try configuration.clerk.map { try ClerkSessionVerifier(configuration: $0, httpClient: http) }
        let storage = AccountStorage(s3: S3Client(configuration: aws, httpClient: http), buckets: configuration.buckets)
        let erasure = AccountErasure(database: database, storage: storage)
        // An erasure that needs another run hands it to this same function.
        let handOff = ErasureHandOff(
            lambda: LambdaClient(configuration: aws, httpClient: http),
            deployedName: configuration.platform.functionName)
        return AccountDeleteFunction(
            endpoints: AccountEndpoints(
                authenticator: Authenticator(database: database, clerk: clerk),
                accounts: AccountDirectory(database: database), erasure: erasure, handOff: handOff,
                exporter: AccountExport(database: database, storage: storage), requestLog: requestLog),
            jobs: ErasureJobs(
                erasure: erasure, handOff: handOff, allowsFaultInjection: configuration.allowsFaultInjection))
    }

    func handle(_ event: LambdaEvent, context: LambdaContext) async throws -> HTTPOrJobOutput<ErasureJobs.Result> {
        switch event {
        case .http(let request): return .http(await endpoints.handle(request, context: context))
        case .job(let job): return .job(try await jobs.run(job, context: context))
        case .scheduled: throw AccountDeleteError.unexpectedEvent
        }
    }
}

/// Why account-delete refused an event.
enum AccountDeleteError: Error, LambdaReportableError, CustomStringConvertible {
    /// A scheduled event: account-delete has no schedule.
    case unexpectedEvent
    /// A job that is not `account.erase` with an account id.
    case malformedJob(String)

    var errorType: String {
        switch self {
        case .unexpectedEvent: "UnexpectedEvent"
        case .malformedJob: "MalformedJob"
        }
    }

    var description: String {
        switch self {
        case .unexpectedEvent: "account-delete takes HTTP requests and account.erase jobs only"
        case .malformedJob(let reason): "malformed job: \(reason)"
        }
    }
}
