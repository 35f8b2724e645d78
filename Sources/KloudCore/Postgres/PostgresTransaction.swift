import FoundationEssentials

/// An open transaction, handed to the body of ``PostgresClient/transaction(_:)``.
///
/// Valid only inside that body; do not keep it.
public struct PostgresTransaction {
    let context: TransactionContext

    /// The account the transaction is scoped to, if any: row-level security
    /// shows and accepts only that account's rows.
    public var accountID: UUID? { context.accountID }

    /// Runs one statement and returns its rows.
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        try context.run(query)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try context.run(query).affectedRowCount
    }
}

/// One transaction in progress: its state machine, the statements that open
/// it, and the client's connection, which it may replace once (see
/// ``TransactionStateMachine``). Lives for one call of the client, under its lock.
final class TransactionContext {
    var machine = TransactionStateMachine()
    /// The error the last failed step threw.
    var lastError: any Error = PostgresError(.connectionLost)
    let accountID: UUID?
    private let slot: ConnectionSlot
    private let connectionString: String
    private let opening: [PostgresQuery]

    init(slot: ConnectionSlot, connectionString: String, accountID: UUID?, opening: [PostgresQuery]) {
        self.slot = slot
        self.connectionString = connectionString
        self.accountID = accountID
        self.opening = opening
    }

    /// The connection; present whenever the machine asks for I/O on it.
    var connection: PostgresConnection {
        slot.connection!
    }

    /// Replaces the connection with a new one.
    func reconnect() throws {
        slot.connection = nil
        slot.connection = try PostgresConnection.connect(to: connectionString)
    }

    /// Runs one statement of the body, opening the transaction with it if it is the first.
    func run(_ query: PostgresQuery) throws -> PostgresRows {
        var action = machine.statementRequested()
        var rows: PostgresRows?
        while true {
            switch action {
            case .sendFirstStatement, .sendStatement:
                do {
                    rows =
                        try action == .sendFirstStatement
                        ? connection.pipeline(opening + [query]) : connection.query(query)
                    action = machine.statementSucceeded()
                } catch {
                    lastError = error
                    action = machine.statementFailed(isConnectionLost: error.isConnectionLost)
                }
            case .connect:
                do {
                    try reconnect()
                    action = machine.connected()
                } catch {
                    lastError = error
                    action = machine.connectFailed()
                }
            case .returnStatementResult:
                return rows!
            case .throwStatementError:
                throw lastError
            default:
                preconditionFailure("unexpected \(action) while running a statement")
            }
        }
    }
}

extension Error {
    /// Whether this is a ``PostgresError`` for a lost connection.
    var isConnectionLost: Bool {
        (self as? PostgresError)?.kind == .connectionLost
    }
}
