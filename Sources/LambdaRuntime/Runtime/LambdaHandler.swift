import FoundationEssentials
import Logging

/// A function's logic: an event in, a response out.
///
/// The runtime decodes `Event` from the invocation's JSON and encodes `Output` back. A handler
/// that throws reports a function error; errors conforming to ``LambdaReportableError`` choose
/// the `errorType` Lambda reports.
public protocol LambdaHandler: Sendable {
    associatedtype Event: Decodable & Sendable
    associatedtype Output: Encodable & Sendable

    /// Handles one invocation.
    func handle(_ event: Event, context: LambdaContext) async throws -> Output
}

/// An error that names the `errorType` Lambda reports for it.
public protocol LambdaReportableError: Error {
    /// A stable name, such as `ValidationFailed`.
    var errorType: String { get }
}

/// What the runtime gives a handler's factory while the function initializes.
public struct LambdaInitContext: Sendable {
    public let function: FunctionEnvironment
    public let environment: [String: String]
    public let logger: Logger
}
