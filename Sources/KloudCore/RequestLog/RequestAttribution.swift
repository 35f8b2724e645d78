import FoundationEssentials
import Synchronization

/// Whose request is being served, as far as the function found out: set by the
/// ``Authenticator`` when a credential proves an account, read when the request is logged.
///
/// One per request, bound as a task-local by ``APIFunction``; outside a request there is none
/// and noting an account does nothing.
public final class RequestAttribution: Sendable {
    /// The attribution of the request the current task serves, if any.
    @TaskLocal public static var current: RequestAttribution?

    private let account = Mutex<UUID?>(nil)

    /// An attribution that names no account yet.
    public init() {}

    /// The account the request proved, if it proved one.
    public var accountID: UUID? { account.withLock { $0 } }

    /// Records that the current request acts for `accountID`.
    public static func note(accountID: UUID) {
        current?.account.withLock { $0 = accountID }
    }
}
