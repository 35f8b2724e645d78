import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The retention-sweep function: every retention rule of the privacy policy, run by its
/// schedule (PP-codes, PP-revoke, PP-logs, PP-delete). `{"dryRun": true}`, at the top of the
/// event or in a scheduled event's `detail`, only counts.
struct RetentionSweepFunction: LambdaHandler {
    /// Time kept back from the deadline to finish the batch under way and report.
    static let reserve: Duration = .seconds(20)

    let sweep: RetentionSweep

    static func live(environment: [String: String]) async throws -> RetentionSweepFunction {
        let url = try await DatabaseConnectionString.resolve(environment: environment, role: "maintenance")
        let database = PostgresClient(configuration: .init(connectionString: url, statementTimeout: .seconds(120)))
        let http = HTTPClient(configuration: .init(environment: environment))
        let storage = try AccountStorage(environment: environment, httpClient: http)
        let outbox = try environment[NotificationOutbox.senderVariable].map {
            NotificationOutbox(
                database: database,
                ses: SESClient(configuration: try AWSConfiguration(environment: environment), httpClient: http),
                sender: $0)
        }
        return RetentionSweepFunction(
            sweep: RetentionSweep(
                database: database, erasure: AccountErasure(database: database, storage: storage), outbox: outbox))
    }

    func handle(_ event: SweepRequest, context: LambdaContext) async throws -> SweepReport {
        try await sweep.run(
            isDryRun: event.isDryRun, deadline: WorkDeadline(remaining: context.remainingTime, reserve: Self.reserve),
            maximumHold: context.remainingTime, logger: context.logger)
    }
}

/// What starts a sweep: a scheduled event, or any JSON object (a manual invoke); `dryRun` at the
/// top or in `detail` selects a dry run.
struct SweepRequest: Decodable, Sendable {
    var isDryRun: Bool

    private enum CodingKeys: String, CodingKey {
        case dryRun, detail
    }

    private struct Detail: Decodable {
        var dryRun: Bool?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let detail = try? container.decodeIfPresent(Detail.self, forKey: .detail)
        isDryRun = try container.decodeIfPresent(Bool.self, forKey: .dryRun) ?? detail?.dryRun ?? false
    }
}
