import FoundationEssentials
import LambdaRuntime
import Logging

/// Where a function's API requests are logged: the `request_log` table (PP-logs).
///
/// A write never fails a request: ``APIFunction`` adds it as work after the response, and an
/// error is logged and dropped. A row names an account only while the account is active, so a
/// request that deletes an account cannot leave its id behind the erasure.
public struct RequestLog: Sendable {
    /// The database the log is written to.
    public let database: PostgresClient

    /// A log written through `database`.
    public init(database: PostgresClient) {
        self.database = database
    }

    /// The log of a function's own database, on a connection of its own with a short
    /// statement timeout.
    public init(connectionString: String) {
        database = PostgresClient(
            configuration: .init(connectionString: connectionString, statementTimeout: .seconds(2)))
    }

    /// Writes one entry.
    public func write(_ entry: RequestLogEntry) throws {
        let headers = try PostgresJSON(encoding: entry.headers)
        let ip = entry.sourceIP?.description
        // log_request (migration 0014) keeps the insert's plan per connection.
        let insert: PostgresQuery = """
            select kloudhub.log_request(\(entry.occurredAt), \(entry.requestID), \(entry.functionName),
                                        \(entry.accountID), \(entry.method), \(entry.path), \(entry.status),
                                        \(ip)::inet, \(entry.userAgent), \(headers), \(entry.durationMilliseconds))
            """
        // One round trip: the line is written once, and a lost one is logged, never resent.
        try database.write(scopedTo: entry.accountID, insert)
    }

    /// Writes one entry, logging rather than throwing a failure.
    public func record(_ entry: RequestLogEntry, logger: Logger) {
        do {
            try write(entry)
        } catch {
            logger.warning("request log write failed", metadata: ["error": "\(error)"])
        }
    }
}
