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
        let url = try await DatabaseConnectionString.resolve(environment: environment, role: "maintenance")
        let database = PostgresClient(configuration: .init(connectionString: url, statementTimeout: .seconds(60)))
        let http = HTTPClient(configuration: .init(environment: environment))
        let clerk = try ClerkConfiguration(environment: environment).map {
            try ClerkSessionVerifier(configuration: $0, httpClient: http)
        }
        let storage = try AccountStorage(environment: environment, httpClient: http)
        let erasure = AccountErasure(database: database, storage: storage)
        let handOff = try ErasureHandOff(environment: environment, httpClient: http)
        return AccountDeleteFunction(
            endpoints: AccountEndpoints(
                authenticator: Authenticator(database: database, clerk: clerk),
                accounts: AccountDirectory(database: database), erasure: erasure, handOff: handOff,
                exporter: AccountExport(database: database, storage: storage)),
            jobs: ErasureJobs(
                erasure: erasure, handOff: handOff,
                allowsFaultInjection: environment["KLOUDHUB_ERASURE_FAULT_INJECTION"] == "allow"))
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
