import FoundationEssentials

/// The lock that keeps two retention sweeps from overlapping: a transaction-level advisory lock
/// held by an open transaction on a connection of its own for as long as the sweep runs.
///
/// A session-level lock would outlive a crashed sweep behind a transaction-mode pooler (the
/// pooler's server connection keeps it); a transaction's lock ends with the transaction, which
/// ends when the sweep commits, or when its connection drops.
public final class SweepLock {
    /// The lock's key: `hashtext('kloudhub.retention-sweep')`.
    static let key = "kloudhub.retention-sweep"

    private let connection: PostgresConnection

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Takes the lock if no other sweep holds it; nil if one does. The holding transaction is
    /// allowed to sit idle for `maximumHold` (the sweep's timeout) before the server ends it.
    public static func acquire(connectionString: String, maximumHold: Duration) throws -> SweepLock? {
        let connection = try PostgresConnection.connect(to: connectionString)
        let seconds = String(max(60, maximumHold.components.seconds + 60))
        try connection.execute("begin")
        try connection.execute("select set_config('idle_in_transaction_session_timeout', \(seconds + "s"), true)")
        let isHeld = try connection.query("select pg_try_advisory_xact_lock(hashtext(\(key)))").first?.decode(Bool.self)
        guard isHeld == true else {
            connection.close()
            return nil
        }
        return SweepLock(connection: connection)
    }

    /// Releases the lock.
    public func release() {
        _ = try? connection.execute("commit")
        connection.close()
    }
}
