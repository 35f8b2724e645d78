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
        var reader = EnvironmentReader(environment)
        return try await live(configuration: RetentionSweepConfiguration(reading: &reader))
    }

    static func live(configuration: RetentionSweepConfiguration) async throws -> RetentionSweepFunction {
        let aws = configuration.platform.aws
        let http = HTTPClient(configuration: configuration.platform.http)
        let (database, _) = try await configuration.platform.openDatabase(
            httpClient: http, statementTimeout: .seconds(120))
        let storage = AccountStorage(s3: S3Client(configuration: aws, httpClient: http), buckets: configuration.buckets)
        let outbox = configuration.notificationSender.map {
            NotificationOutbox(database: database, ses: SESClient(configuration: aws, httpClient: http), sender: $0)
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
