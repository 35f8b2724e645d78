import Foundation
import Synchronization

/// A clock a test moves by hand, for code that takes `now` as a function.
public final class TestClock: Sendable {
    /// Where the clock started.
    public let start: Date
    private let offset = Mutex<TimeInterval>(0)

    public init(_ start: Date = Date()) {
        self.start = start
    }

    public var now: @Sendable () -> Date { { self.start.addingTimeInterval(self.offset.withLock { $0 }) } }

    public func advance(by seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }
}
