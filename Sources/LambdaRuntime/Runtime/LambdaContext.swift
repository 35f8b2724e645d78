import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// What a handler knows about the invocation it serves.
public struct LambdaContext: Sendable {
    public let requestID: String
    /// The moment Lambda stops the invocation, in milliseconds since the epoch.
    public let deadlineMilliseconds: Int64
    public let invokedFunctionARN: String
    public let traceID: String?
    /// The client context of a mobile SDK invoke, as the JSON text Lambda passed.
    public let clientContext: String?
    /// The Cognito identity of a mobile SDK invoke, as the JSON text Lambda passed.
    public let cognitoIdentity: String?
    public let function: FunctionEnvironment
    /// A logger whose lines carry this request id.
    public let logger: Logger
    /// Work that runs after the response has been sent, before the next invocation.
    public let afterResponse: AfterResponseWork

    public init(
        requestID: String, deadlineMilliseconds: Int64, invokedFunctionARN: String, traceID: String?,
        clientContext: String?, cognitoIdentity: String?, function: FunctionEnvironment, logger: Logger,
        afterResponse: AfterResponseWork = AfterResponseWork()
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.function = function
        self.logger = logger
        self.afterResponse = afterResponse
    }

    /// Time left before the deadline (negative once it has passed).
    public var remainingTime: Duration {
        .milliseconds(deadlineMilliseconds - WallClock.nowMilliseconds())
    }
}

/// The function's own settings, read once from the environment Lambda gives the process.
public struct FunctionEnvironment: Sendable {
    public let name: String
    public let version: String
    public let memoryLimitMB: Int
    public let logGroupName: String
    public let logStreamName: String

    /// Reads the `AWS_LAMBDA_*` variables; absent ones get the values a local run would have.
    public init(environment: [String: String]) {
        name = environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "local"
        version = environment["AWS_LAMBDA_FUNCTION_VERSION"] ?? "$LATEST"
        memoryLimitMB = environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"].flatMap(Int.init) ?? 128
        logGroupName = environment["AWS_LAMBDA_LOG_GROUP_NAME"] ?? "/aws/lambda/\(name)"
        logStreamName = environment["AWS_LAMBDA_LOG_STREAM_NAME"] ?? ""
    }
}

/// Reads the wall clock without Foundation's Date, for deadlines in epoch milliseconds.
public enum WallClock {
    /// Milliseconds since the epoch.
    public static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

/// The process environment as a dictionary.
public enum ProcessEnvironment {
    /// Every variable of the current process.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
