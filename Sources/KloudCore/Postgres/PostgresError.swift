/// An error from the Postgres layer: the server's, the connection's, or a
/// row that could not be decoded.
///
/// Match on ``kind``:
///
/// ```swift
/// catch let error as PostgresError where error.kind == .uniqueViolation { ... }
/// ```
///
/// ``description`` holds only the code, the SQLSTATE and names (column,
/// constraint); never SQL, values or the server's message, which can quote
/// values. Those are in ``debugDescription``, for the log.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, as cases callers match on.
    public enum Kind: Sendable, Hashable {
        /// A connection could not be opened.
        case connectionFailed
        /// The connection dropped (or the server shut down) during a call.
        case connectionLost
        /// SQLSTATE 23505.
        case uniqueViolation
        /// SQLSTATE 23503.
        case foreignKeyViolation
        /// SQLSTATE 23502.
        case notNullViolation
        /// SQLSTATE 23514.
        case checkViolation
        /// SQLSTATE 40001: retry the whole transaction.
        case serializationFailure
        /// SQLSTATE 40P01: retry the whole transaction.
        case deadlockDetected
        /// SQLSTATE 42501: missing privilege, or a row refused by a
        /// row-level security policy.
        case permissionDenied
        /// SQLSTATE 57014: the statement timeout fired, or the query was cancelled.
        case queryCanceled
        /// No answer came before the invocation's deadline (``InvocationDeadline``); the
        /// connection was closed, and the statement's outcome is unknown.
        case deadlineExceeded
        /// A result column could not be decoded into the requested Swift type.
        case decodingFailed
        /// A transaction was started inside another on the same client.
        case nestedTransaction
        /// libpq refused or failed a call without a server error or a lost connection.
        case clientError
        /// Any other server error, by SQLSTATE.
        case other(sqlState: String)
    }

    /// The fields of a server error report (`PQresultErrorField`).
    public struct ServerFields: Sendable, Hashable {
        /// ERROR, FATAL, PANIC, …
        public var severity: String?
        /// The primary message; may quote values.
        public var message: String?
        /// Secondary detail; may quote values.
        public var detail: String?
        /// A suggestion.
        public var hint: String?
        /// The schema of the object involved.
        public var schema: String?
        /// The table involved.
        public var table: String?
        /// The column involved.
        public var column: String?
        /// The constraint involved.
        public var constraint: String?

        /// Creates a set of fields.
        public init(
            severity: String? = nil, message: String? = nil, detail: String? = nil, hint: String? = nil,
            schema: String? = nil, table: String? = nil, column: String? = nil, constraint: String? = nil
        ) {
            self.severity = severity
            self.message = message
            self.detail = detail
            self.hint = hint
            self.schema = schema
            self.table = table
            self.column = column
            self.constraint = constraint
        }
    }

    /// What went wrong.
    public var kind: Kind
    /// The server's five-character SQLSTATE, when the server reported one.
    public var sqlState: String?
    /// The server's report, when there was one.
    public var server: ServerFields?
    /// For ``Kind/decodingFailed``: the column's name.
    public var column: String?
    /// For ``Kind/decodingFailed``: the column's Postgres type.
    public var columnType: PostgresDataType?
    /// For ``Kind/decodingFailed``: the Swift type asked for.
    public var swiftType: String?
    /// For ``Kind/decodingFailed``: why.
    public var decodingFailure: PostgresDecodingFailure?
    /// True when the connection dropped while a COMMIT was in flight: the
    /// transaction may or may not have committed.
    public var isCommitOutcomeUnknown = false
    /// libpq's own message (connection errors); may name hosts.
    public var clientMessage: String?
    /// The error this one wraps, if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error of a kind.
    public init(_ kind: Kind, sqlState: String? = nil, server: ServerFields? = nil, clientMessage: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.server = server
        self.clientMessage = clientMessage
    }

    /// The stable snake_case name of the error.
    public var code: String {
        switch kind {
        case .connectionFailed: "connection_failed"
        case .connectionLost: "connection_lost"
        case .uniqueViolation: "unique_violation"
        case .foreignKeyViolation: "foreign_key_violation"
        case .notNullViolation: "not_null_violation"
        case .checkViolation: "check_violation"
        case .serializationFailure: "serialization_failure"
        case .deadlockDetected: "deadlock_detected"
        case .permissionDenied: "permission_denied"
        case .queryCanceled: "query_canceled"
        case .deadlineExceeded: "deadline_exceeded"
        case .decodingFailed: "decoding_failed"
        case .nestedTransaction: "nested_transaction"
        case .clientError: "client_error"
        case .other: "server_error"
        }
    }

    /// Whether running the whole transaction again may succeed.
    public var isTransient: Bool {
        kind == .serializationFailure || kind == .deadlockDetected
            || (kind == .connectionLost && !isCommitOutcomeUnknown)
    }

    // MARK: - Factories

    /// The kind for a SQLSTATE.
    public static func kind(forSQLState sqlState: String) -> Kind {
        switch sqlState {
        case "23505": .uniqueViolation
        case "23503": .foreignKeyViolation
        case "23502": .notNullViolation
        case "23514": .checkViolation
        case "40001": .serializationFailure
        case "40P01": .deadlockDetected
        case "42501": .permissionDenied
        case "57014": .queryCanceled
        case "57P01", "57P02", "57P03": .connectionLost
        case _ where sqlState.hasPrefix("08"): .connectionLost
        default: .other(sqlState: sqlState)
        }
    }

    /// A server error report.
    static func server(sqlState: String, fields: ServerFields) -> PostgresError {
        PostgresError(kind(forSQLState: sqlState), sqlState: sqlState, server: fields)
    }

    /// A column that could not be decoded.
    static func decoding(
        column: String, columnType: PostgresDataType, swiftType: Any.Type, failure: PostgresDecodingFailure
    ) -> PostgresError {
        var error = PostgresError(.decodingFailed)
        error.column = column
        error.columnType = columnType
        error.swiftType = String(describing: swiftType)
        error.decodingFailure = failure
        return error
    }

    /// A column that could not be decoded because its decoder threw something else.
    static func decoding(
        column: String, columnType: PostgresDataType, swiftType: Any.Type, underlying: any Error & Sendable
    ) -> PostgresError {
        var error = PostgresError(.decodingFailed)
        error.column = column
        error.columnType = columnType
        error.swiftType = String(describing: swiftType)
        error.underlying = underlying
        return error
    }

    /// The same error, marked as lost during a COMMIT.
    func markingCommitOutcomeUnknown() -> PostgresError {
        var copy = self
        copy.isCommitOutcomeUnknown = true
        return copy
    }

    // MARK: - Descriptions

    /// Code, SQLSTATE and names only.
    public var description: String {
        var parts = ["PostgresError(\(code)"]
        if let sqlState { parts.append("sqlstate: \(sqlState)") }
        if let column {
            let type = columnType.map { " (\($0))" } ?? ""
            parts.append("column \"\(column)\"\(type) as \(swiftType ?? "?")")
        }
        if let decodingFailure { parts.append(decodingFailure.code) }
        if let constraint = server?.constraint { parts.append("constraint: \(constraint)") }
        if isCommitOutcomeUnknown { parts.append("commit outcome unknown") }
        return parts.joined(separator: ", ") + ")"
    }

    /// Everything, including the server's message and detail, for logs.
    public var debugDescription: String {
        var parts = [description]
        if let server {
            let fields: [(String, String?)] = [
                ("severity", server.severity), ("message", server.message), ("detail", server.detail),
                ("hint", server.hint), ("schema", server.schema), ("table", server.table),
                ("column", server.column), ("constraint", server.constraint),
            ]
            for case (let name, let value?) in fields { parts.append("\(name): \(value)") }
        }
        if let clientMessage { parts.append("client: \(clientMessage)") }
        if let underlying { parts.append("underlying: \(String(reflecting: underlying))") }
        return parts.joined(separator: "; ")
    }
}
