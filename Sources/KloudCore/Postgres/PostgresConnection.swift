import CLibPQ
import Glibc
import LambdaRuntime

/// One open connection to Postgres, through libpq.
///
/// Calls block the calling thread until the server answers: a Lambda
/// instance serves one invocation at a time, and a blocking call is the
/// cheapest way to wait for the database. Not `Sendable`: use one from one
/// thread at a time. ``PostgresClient`` shares one safely and reconnects it.
public final class PostgresConnection {
    private var handle: OpaquePointer?

    /// Libpq settings applied unless the connection string sets them: a
    /// bounded connect, and TCP settings that notice a silently dropped peer
    /// (a frozen Lambda's connection can be cut by a NAT or pooler without a
    /// FIN) within seconds rather than the kernel's default quarter-hour.
    static let defaultParameters: [(String, String)] = [
        ("connect_timeout", "10"),
        ("tcp_user_timeout", "15000"),
        ("keepalives_idle", "30"),
        ("keepalives_interval", "10"),
        ("keepalives_count", "3"),
        ("fallback_application_name", "kloudhub"),
    ]

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - connectionString: A `postgresql://` URL or a `key=value` conninfo string.
    ///   - overrides: Parameters that replace the string's (`user`, `dbname`, …).
    public static func connect(
        to connectionString: String, overriding overrides: [String: String] = [:]
    ) throws -> PostgresConnection {
        // Later keywords win; the connection string (as "dbname", which libpq
        // expands) comes after the defaults and before the overrides. The
        // client encoding is always UTF-8, which String decoding relies on.
        var parameters = defaultParameters
        parameters.append(("dbname", connectionString))
        parameters.append(contentsOf: overrides.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        if let remaining = InvocationDeadline.remaining {
            // libpq counts whole seconds, two at least: a connect ends by the invocation's deadline.
            guard remaining > .zero else {
                throw PostgresError(.deadlineExceeded, clientMessage: "no time left to connect")
            }
            let seconds = min(10, max(2, Int(remaining.components.seconds)))
            parameters.append(("connect_timeout", String(seconds)))
            parameters.append(("tcp_user_timeout", String(min(15_000, seconds * 1000))))
        }
        parameters.append(("client_encoding", "UTF8"))
        let handle = withCStrings(parameters.map(\.0)) { keywords in
            withCStrings(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else { throw PostgresError(.connectionFailed, clientMessage: "out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(.connectionFailed, clientMessage: message)
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return PostgresConnection(handle: handle)
    }

    /// Whether a server accepts connections at `connectionString` (libpq's
    /// `PQping`: no login needed).
    public static func isServerAccepting(connectionString: String) -> Bool {
        PQping(connectionString) == PQPING_OK
    }

    /// Closes the connection; later calls fail with ``PostgresError/Kind/connectionLost``.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    // MARK: - Queries

    /// Runs one statement with its parameters and returns its rows (binary format).
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        guard let handle else { throw PostgresError(.connectionLost, clientMessage: "connection closed") }
        let sent = query.bindings.withUnsafeParameters { types, values, lengths, formats in
            PQsendQueryParams(handle, query.sql, Int32(query.bindings.count), types, values, lengths, formats, 1)
        }
        guard sent == 1 else { throw Self.error(from: nil, handle: handle) }
        return try rows(from: try lastResult(handle), handle: handle)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try self.query(query).affectedRowCount
    }

    /// Sends statements in one pipeline (one round trip) and returns the
    /// last one's rows; throws the first error. After an error the server
    /// skips the rest, and an open transaction block stays failed.
    func pipeline(_ queries: [PostgresQuery]) throws -> PostgresRows {
        guard let handle else { throw PostgresError(.connectionLost, clientMessage: "connection closed") }
        guard PQenterPipelineMode(handle) == 1 else { throw Self.error(from: nil, handle: handle) }
        var sent = 0
        for query in queries {
            let accepted = query.bindings.withUnsafeParameters { types, values, lengths, formats in
                PQsendQueryParams(handle, query.sql, Int32(query.bindings.count), types, values, lengths, formats, 1)
            }
            guard accepted == 1 else { break }
            sent += 1
        }
        var firstError = sent == queries.count ? nil : Self.error(from: nil, handle: handle)
        var lastRows: PostgresRows?
        if PQpipelineSync(handle) == 1 {
            for index in 0..<sent where PQstatus(handle) == CONNECTION_OK {
                // Each statement's results end with NULL.
                while let result = try nextResult(handle) {
                    switch PQresultStatus(result) {
                    case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                        if index == sent - 1 {
                            lastRows = PostgresRows(PostgresResult(result))
                        } else {
                            PQclear(result)
                        }
                    case PGRES_PIPELINE_ABORTED:
                        PQclear(result)
                    default:
                        if firstError == nil { firstError = Self.error(from: result, handle: handle) }
                        PQclear(result)
                    }
                }
            }
            while PQstatus(handle) == CONNECTION_OK, let result = try nextResult(handle) {
                let status = PQresultStatus(result)
                PQclear(result)
                if status == PGRES_PIPELINE_SYNC { break }
            }
        }
        if PQstatus(handle) == CONNECTION_OK {
            _ = PQexitPipelineMode(handle)
        }
        if var error = firstError ?? (PQstatus(handle) == CONNECTION_OK ? nil : Self.error(from: nil, handle: handle)) {
            if PQstatus(handle) != CONNECTION_OK { error.kind = .connectionLost }
            throw error
        }
        guard let lastRows else { throw Self.error(from: nil, handle: handle) }
        return lastRows
    }

    /// Runs a script of several statements without parameters (a migration
    /// file) through the simple query protocol.
    func executeScript(_ script: String) throws {
        guard let handle else { throw PostgresError(.connectionLost, clientMessage: "connection closed") }
        guard PQsendQuery(handle, script) == 1 else { throw Self.error(from: nil, handle: handle) }
        _ = try rows(from: try lastResult(handle), handle: handle)
    }

    // MARK: - Waiting for the server

    /// The next result of the call in flight, waiting no longer than the invocation's deadline:
    /// past it the connection is closed (a frozen or vanished server never answers, and TCP
    /// would notice only much later) and ``PostgresError/Kind/deadlineExceeded`` thrown.
    private func nextResult(_ handle: OpaquePointer) throws -> OpaquePointer? {
        while PQisBusy(handle) == 1 {
            let timeout = InvocationDeadline.remaining.map { Int32(clamping: max(0, $0.wholeMilliseconds)) } ?? -1
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeout)
            if ready == 0 {
                close()
                throw PostgresError(.deadlineExceeded, clientMessage: "no answer before the invocation's deadline")
            }
            if ready < 0 && errno == EINTR { continue }
            // A failed read leaves the error for PQgetResult to report.
            guard PQconsumeInput(handle) == 1 else { break }
        }
        return PQgetResult(handle)
    }

    /// The last result of the call in flight (as `PQexec` returns it): an error result if any
    /// statement failed, else the last statement's.
    private func lastResult(_ handle: OpaquePointer) throws -> OpaquePointer? {
        var last: OpaquePointer?
        while let result = try nextResult(handle) {
            if let kept = last {
                // Keep the first error: what failed, not what followed.
                if PQresultStatus(kept) == PGRES_FATAL_ERROR {
                    PQclear(result)
                    continue
                }
                PQclear(kept)
            }
            last = result
            if PQstatus(handle) == CONNECTION_BAD { break }
        }
        return last
    }

    private func rows(from result: OpaquePointer?, handle: OpaquePointer) throws -> PostgresRows {
        guard let result else { throw Self.error(from: nil, handle: handle) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(PostgresResult(result))
        default:
            let error = Self.error(from: result, handle: handle)
            PQclear(result)
            throw error
        }
    }

    /// The SCRAM verifier of `password` for `user`, as the server stores it (libpq's
    /// `PQencryptPasswordConn` with the server's `password_encryption`): a password set this
    /// way never travels or appears in a server log in the clear.
    public func passwordVerifier(for user: String, password: String) throws -> String {
        guard let handle else { throw PostgresError(.connectionLost, clientMessage: "connection closed") }
        guard let verifier = PQencryptPasswordConn(handle, password, user, nil) else {
            throw Self.error(from: nil, handle: handle)
        }
        defer { PQfreemem(verifier) }
        return String(cString: verifier)
    }

    // MARK: - State

    /// Whether the connection is open and the server has not gone away.
    ///
    /// Checked before each use: a socket that is readable while no query is
    /// running means the server sent something unasked (a shutdown notice)
    /// or closed it; reading it lets libpq notice a closed connection
    /// without sending anything.
    public var isUsable: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        for _ in 0..<4 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 { return true }
            if ready < 0 { return errno == EINTR }
            if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return false }
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else { return false }
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether a transaction block is open (or failed and awaiting ROLLBACK).
    var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The server's process id for this connection (for `pg_terminate_backend`).
    public var backendProcessID: Int32 {
        handle.map { PQbackendPID($0) } ?? 0
    }

    // MARK: - Errors

    private static func error(from result: OpaquePointer?, handle: OpaquePointer) -> PostgresError {
        let isConnectionBad = PQstatus(handle) == CONNECTION_BAD
        guard let result, let sqlState = field(result, "C") else {
            let message = String(cString: PQerrorMessage(handle))
            return PostgresError(isConnectionBad ? .connectionLost : .clientError, clientMessage: message)
        }
        let fields = PostgresError.ServerFields(
            severity: field(result, "V") ?? field(result, "S"), message: field(result, "M"),
            detail: field(result, "D"), hint: field(result, "H"), schema: field(result, "s"),
            table: field(result, "t"), column: field(result, "c"), constraint: field(result, "n"))
        var error = PostgresError.server(sqlState: sqlState, fields: fields)
        if isConnectionBad { error.kind = .connectionLost }
        return error
    }

    private static func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<Result>(
    _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result
) -> Result {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
