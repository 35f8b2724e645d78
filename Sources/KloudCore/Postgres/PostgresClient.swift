import FoundationEssentials
import LambdaRuntime

/// KloudHub's way into Postgres: one connection, kept open across warm
/// invocations, checked before each use and reopened when broken.
///
/// Every call runs in a transaction that sets its own settings with
/// `set_config(..., true)`, which end with it. Nothing is left in the
/// session (no `SET`, no named prepared statements), so the client works
/// behind a transaction-mode pooler (Supabase's, RDS Proxy).
///
/// ```swift
/// let names = try client.transaction(scopedTo: accountID) { transaction in
///     try transaction.query("select name from klouds order by name").decode(String.self)
/// }
/// ```
///
/// Calls block the calling thread (see ``PostgresConnection``); concurrent
/// callers take turns. A transaction started inside another's body on the
/// same client throws ``PostgresError/Kind/nestedTransaction``.
public final class PostgresClient: Sendable {
    /// How to reach the server and what every transaction sets.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// A `postgresql://` URL or `key=value` conninfo string.
        public var connectionString: String
        /// The longest a statement may run before the server cancels it
        /// (``PostgresError/Kind/queryCanceled``); `nil` keeps the server's.
        public var statementTimeout: Duration?

        /// Creates a configuration.
        public init(connectionString: String, statementTimeout: Duration? = .seconds(10)) {
            self.connectionString = connectionString
            self.statementTimeout = statementTimeout
        }

        /// The settings, without the connection string (it may hold a password).
        public var description: String {
            "PostgresClient.Configuration(statementTimeout: \(statementTimeout.map { "\($0)" } ?? "server default"))"
        }
    }

    /// The setting that row-level security policies read the account from.
    public static let accountSetting = "kloudhub.account_id"

    /// How the client was configured.
    public let configuration: Configuration
    private let lock = Lock()
    private let slot = ConnectionSlot()

    /// Creates a client; it connects on first use.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Closes the connection; the next call opens a new one.
    public func close() throws {
        try lock.withLock { slot.connection?.close() }
    }

    // MARK: - Calls

    /// Runs one statement in a transaction of its own, without an account
    /// scope; resent once on a new connection if the connection drops before
    /// the statement's answer (it cannot have committed then).
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        try run(accountID: nil) { try $0.query(query) }
    }

    /// Runs one statement like ``query(_:)`` and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try self.query(query).affectedRowCount
    }

    /// Runs `body` in a transaction: COMMIT if it returns, ROLLBACK if it throws.
    ///
    /// Without an account scope, row-level security shows no account-owned
    /// rows; use it for the few lookups made before the account is known.
    @discardableResult
    public func transaction<Result>(_ body: (PostgresTransaction) throws -> Result) throws -> Result {
        try run(accountID: nil, body)
    }

    /// Runs `body` in a transaction scoped to one account: row-level security
    /// then shows and accepts that account's rows only.
    @discardableResult
    public func transaction<Result>(
        scopedTo accountID: UUID, _ body: (PostgresTransaction) throws -> Result
    ) throws -> Result {
        try run(accountID: accountID, body)
    }

    /// Runs one read-only statement in one round trip: the transaction's settings and the
    /// statement travel as one pipeline and run in the implicit transaction that ends with
    /// it, with no BEGIN or COMMIT of their own (a transaction costs two round trips).
    ///
    /// The transaction is read-only (`transaction_read_only` is set before the statement), so
    /// a statement that writes fails instead, and the read is resent once on a new connection
    /// if the connection drops.
    public func read(_ query: PostgresQuery) throws -> PostgresRows {
        try oneStatement(accountID: nil, query, readOnly: true)
    }

    /// Runs one read-only statement like ``read(_:)``, scoped to one account: row-level
    /// security then shows that account's rows only.
    public func read(scopedTo accountID: UUID, _ query: PostgresQuery) throws -> PostgresRows {
        try oneStatement(accountID: accountID, query, readOnly: true)
    }

    /// Runs one statement in one round trip, in the implicit transaction that ends with the
    /// pipeline: committed if it succeeds, never resent. If the connection drops, the error
    /// says the commit's outcome is unknown. For a write whose loss is tolerable but whose
    /// repetition is not (a request log line).
    public func write(scopedTo accountID: UUID?, _ query: PostgresQuery) throws -> Int {
        try oneStatement(accountID: accountID, query, readOnly: false).affectedRowCount
    }

    private func oneStatement(accountID: UUID?, _ query: PostgresQuery, readOnly: Bool) throws -> PostgresRows {
        try lock.withLock {
            let statements = [settingsStatement(accountID: accountID, readOnly: readOnly)].compactMap { $0 } + [query]
            var attempt = 1
            while true {
                if !(slot.connection?.isUsable ?? false) {
                    slot.connection = nil
                    slot.connection = try PostgresConnection.connect(to: configuration.connectionString)
                }
                do {
                    return try slot.connection!.pipeline(statements)
                } catch {
                    discardConnectionIfNotIdle()
                    guard error.isConnectionLost else { throw error }
                    slot.connection = nil
                    if !readOnly, let lost = error as? PostgresError { throw lost.markingCommitOutcomeUnknown() }
                    guard attempt < TransactionStateMachine.maximumAttempts else { throw error }
                    attempt += 1
                }
            }
        }
    }

    // MARK: - Running a transaction

    private func run<Result>(accountID: UUID?, _ body: (PostgresTransaction) throws -> Result) throws -> Result {
        try lock.withLock {
            let context = TransactionContext(
                slot: slot, connectionString: configuration.connectionString, accountID: accountID,
                opening: openingStatements(accountID: accountID))
            var action = context.machine.start(isConnectionUsable: slot.connection?.isUsable ?? false)
            var result: Result?
            while true {
                switch action {
                case .connect:
                    do {
                        try context.reconnect()
                        action = context.machine.connected()
                    } catch {
                        context.lastError = error
                        action = context.machine.connectFailed()
                    }
                case .runBody:
                    do {
                        result = try body(PostgresTransaction(context: context))
                        action = context.machine.bodySucceeded()
                    } catch {
                        context.lastError = error
                        action = context.machine.bodyFailed()
                    }
                case .commit:
                    do {
                        try context.connection.executeScript("COMMIT")
                        action = context.machine.commitSucceeded()
                    } catch {
                        context.lastError = error
                        action = context.machine.commitFailed(isConnectionLost: error.isConnectionLost)
                    }
                case .rollback:
                    _ = try? context.connection.executeScript("ROLLBACK")
                    action = context.machine.rollbackFinished()
                case .succeed:
                    discardConnectionIfNotIdle()
                    return result!
                case .fail(let commitOutcomeUnknown):
                    discardConnectionIfNotIdle()
                    if commitOutcomeUnknown, let error = context.lastError as? PostgresError {
                        throw error.markingCommitOutcomeUnknown()
                    }
                    throw context.lastError
                default:
                    preconditionFailure("unexpected \(action) around a transaction body")
                }
            }
        }
    }

    /// BEGIN, then the transaction-local settings in one statement; they are
    /// sent with the body's first statement.
    private func openingStatements(accountID: UUID?) -> [PostgresQuery] {
        ["BEGIN"] + [settingsStatement(accountID: accountID, readOnly: false)].compactMap { $0 }
    }

    /// The transaction-local settings (account scope, statement timeout, read-only) as one
    /// statement, or nil when there are none.
    private func settingsStatement(accountID: UUID?, readOnly: Bool) -> PostgresQuery? {
        var settings: [(name: String, value: String)] = []
        if readOnly { settings.append(("transaction_read_only", "on")) }
        if let accountID { settings.append((Self.accountSetting, accountID.uuidString.lowercased())) }
        if let timeout = configuration.statementTimeout {
            // The server gives up when the invocation has to, too.
            settings.append(("statement_timeout", Self.milliseconds(InvocationDeadline.bounding(timeout))))
        }
        guard !settings.isEmpty else { return nil }
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 64 * settings.count, interpolationCount: 6)
        sql.appendLiteral("select ")
        for (index, setting) in settings.enumerated() {
            sql.appendLiteral(index == 0 ? "set_config(" : ", set_config(")
            sql.appendInterpolation(setting.name)
            sql.appendLiteral(", ")
            sql.appendInterpolation(setting.value)
            sql.appendLiteral(", true)")
        }
        return PostgresQuery(stringInterpolation: sql)
    }

    /// Drops a connection left broken or inside a transaction, so the next
    /// call starts clean.
    private func discardConnectionIfNotIdle() {
        guard let connection = slot.connection else { return }
        if connection.isInTransaction {
            _ = try? connection.executeScript("ROLLBACK")
        }
        if connection.isInTransaction || !connection.isUsable {
            slot.connection = nil
        }
    }

    private static func milliseconds(_ duration: Duration) -> String {
        String(max(1, duration.wholeMilliseconds))
    }
}

/// The client's connection, touched only with the client's lock held.
///
/// `@unchecked Sendable`: ``PostgresClient`` reads and writes it, directly or
/// through a ``TransactionContext``, only inside `lock.withLock`.
final class ConnectionSlot: @unchecked Sendable {
    var connection: PostgresConnection?
}
