/// The steps of one transaction run by ``PostgresClient``, decided without I/O.
///
/// The client and the body's statements perform each ``Action`` and report
/// the outcome; the machine decides what comes next.
///
/// BEGIN is not sent on its own: it travels in one pipeline with the
/// transaction's settings and its first statement, which saves two round
/// trips, and a body that runs no statement costs none. The one retry
/// follows from that: if the connection drops while that first pipeline is
/// in flight, nothing can have committed (it was inside BEGIN) and the body
/// has seen nothing yet, so the client reconnects and sends it once more.
/// A later statement, or COMMIT, is never resent; a COMMIT whose connection
/// dropped is reported as of unknown outcome.
struct TransactionStateMachine {
    /// What to do next.
    enum Action: Equatable {
        /// Open a new connection, replacing any old one; then report
        /// ``connected()`` or ``connectFailed()``.
        case connect
        /// Run the caller's body.
        case runBody
        /// Send BEGIN, the settings and the statement as one pipeline.
        case sendFirstStatement
        /// Send the statement.
        case sendStatement
        /// Hand the statement's rows to the body.
        case returnStatementResult
        /// Throw the last error to the body.
        case throwStatementError
        /// Send COMMIT.
        case commit
        /// Send ROLLBACK; then ``rollbackFinished()``, whatever happened.
        case rollback
        /// Return the body's result.
        case succeed
        /// Throw the last error to the caller.
        case fail(commitOutcomeUnknown: Bool)
    }

    /// Where the server's side of the transaction is.
    private enum Transaction: Equatable {
        /// Nothing sent yet.
        case notBegun
        /// BEGIN was sent on a connection that is still up.
        case open
        /// The connection dropped after BEGIN: the server rolled back.
        case lost
    }

    private enum State: Equatable {
        case idle
        case connectingToStart
        case connectingToResend
        case inBody(Transaction)
        case sendingFirstStatement
        case sendingStatement
        case committing
        case rollingBack
        case finished
    }

    /// Pipelines of a first statement allowed in all: the first and one resend.
    static let maximumAttempts = 2

    private var state = State.idle
    private var attempt = 1

    // MARK: - Around the body

    /// Starts, given the outcome of the before-use check of the connection.
    mutating func start(isConnectionUsable: Bool) -> Action {
        precondition(state == .idle, "start() called twice")
        if isConnectionUsable {
            state = .inBody(.notBegun)
            return .runBody
        }
        state = .connectingToStart
        return .connect
    }

    /// A new connection is open.
    mutating func connected() -> Action {
        switch state {
        case .connectingToStart:
            state = .inBody(.notBegun)
            return .runBody
        case .connectingToResend:
            state = .sendingFirstStatement
            return .sendFirstStatement
        default:
            preconditionFailure("connected() in \(state)")
        }
    }

    /// No connection could be opened.
    mutating func connectFailed() -> Action {
        switch state {
        case .connectingToStart:
            state = .finished
            return .fail(commitOutcomeUnknown: false)
        case .connectingToResend:
            state = .inBody(.lost)
            return .throwStatementError
        default:
            preconditionFailure("connectFailed() in \(state)")
        }
    }

    /// The body returned.
    mutating func bodySucceeded() -> Action {
        guard case .inBody(let transaction) = state else { preconditionFailure("bodySucceeded() in \(state)") }
        switch transaction {
        case .notBegun:
            state = .finished
            return .succeed
        case .open:
            state = .committing
            return .commit
        case .lost:
            // The body caught the lost connection and returned anyway; its
            // writes are gone, so it must not look like success.
            state = .finished
            return .fail(commitOutcomeUnknown: false)
        }
    }

    /// The body threw.
    mutating func bodyFailed() -> Action {
        guard case .inBody(let transaction) = state else { preconditionFailure("bodyFailed() in \(state)") }
        if transaction == .open {
            state = .rollingBack
            return .rollback
        }
        state = .finished
        return .fail(commitOutcomeUnknown: false)
    }

    /// COMMIT succeeded.
    mutating func commitSucceeded() -> Action {
        precondition(state == .committing, "commitSucceeded() in \(state)")
        state = .finished
        return .succeed
    }

    /// COMMIT failed; if the connection dropped, nobody knows whether it committed.
    mutating func commitFailed(isConnectionLost: Bool) -> Action {
        precondition(state == .committing, "commitFailed() in \(state)")
        state = .finished
        return .fail(commitOutcomeUnknown: isConnectionLost)
    }

    /// ROLLBACK was sent (or could not be).
    mutating func rollbackFinished() -> Action {
        precondition(state == .rollingBack, "rollbackFinished() in \(state)")
        state = .finished
        return .fail(commitOutcomeUnknown: false)
    }

    // MARK: - Statements of the body

    /// The body asks to run a statement.
    mutating func statementRequested() -> Action {
        guard case .inBody(let transaction) = state else { preconditionFailure("statementRequested() in \(state)") }
        switch transaction {
        case .notBegun:
            state = .sendingFirstStatement
            return .sendFirstStatement
        case .open:
            state = .sendingStatement
            return .sendStatement
        case .lost:
            return .throwStatementError
        }
    }

    /// The statement ran.
    mutating func statementSucceeded() -> Action {
        precondition(
            state == .sendingFirstStatement || state == .sendingStatement, "statementSucceeded() in \(state)")
        state = .inBody(.open)
        return .returnStatementResult
    }

    /// The statement failed.
    mutating func statementFailed(isConnectionLost: Bool) -> Action {
        precondition(
            state == .sendingFirstStatement || state == .sendingStatement, "statementFailed() in \(state)")
        if isConnectionLost, state == .sendingFirstStatement, attempt < Self.maximumAttempts {
            attempt += 1
            state = .connectingToResend
            return .connect
        }
        state = .inBody(isConnectionLost ? .lost : .open)
        return .throwStatementError
    }
}
