import FoundationEssentials
import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// A test-only function that exercises every path of the runtime: it echoes, sleeps, throws,
/// crashes, writes large responses and reports its context, as the event asks.
///
/// Invoked directly, the event's `action` member chooses; through the gateway, the `{action}`
/// path parameter does, and the answer is an HTTP response.
struct RuntimeProbeHandler: LambdaHandler {
    struct ProbeError: LambdaReportableError, CustomStringConvertible {
        var errorType: String { "ProbeFailure" }
        var description: String
    }

    let greeting: String

    static func live(environment: [String: String]) throws -> RuntimeProbeHandler {
        if let message = environment["PROBE_FAIL_INIT"] { throw ProbeError(description: message) }
        if let delay = environment["PROBE_INIT_DELAY_MS"].flatMap(Int.init) { usleep(UInt32(delay * 1000)) }
        return RuntimeProbeHandler(greeting: environment["PROBE_GREETING"] ?? "")
    }

    func handle(_ event: JSONValue, context: LambdaContext) async throws -> JSONValue {
        if event["routeKey"] != nil { return try await handleHTTP(event, context: context) }
        return try await perform(event["action"]?.stringValue ?? "echo", event: event, context: context)
    }

    private func perform(_ action: String, event: JSONValue, context: LambdaContext) async throws -> JSONValue {
        switch action {
        case "echo":
            return event
        case "sleep":
            try await Task.sleep(for: .milliseconds(event["milliseconds"]?.intValue ?? 0))
            return .object(["slept": event["milliseconds"] ?? .number(0), "pid": .number(Double(getpid()))])
        case "throw":
            throw ProbeError(description: event["message"]?.stringValue ?? "probe failure")
        case "crash":
            context.logger.warning("crashing on request")
            exit(Int32(event["status"]?.intValue ?? 3))
        case "large":
            return .string(String(repeating: "x", count: event["bytes"]?.intValue ?? 0))
        case "context":
            return describe(context)
        case "environment":
            var names = [
                "KLOUDHUB_DATABASE_SECRET_ARN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_REGION",
                "KLOUDHUB_KMS_KEY_ID",
            ]
            if case .array(let asked)? = event["names"] { names = asked.compactMap(\.stringValue) }
            var values: [String: JSONValue] = [:]
            for name in names { values[name] = getenv(name).map { .string(String(cString: $0)) } ?? .null }
            return .object(values)
        default:
            throw ProbeError(description: "unknown action \(action)")
        }
    }

    private func describe(_ context: LambdaContext) -> JSONValue {
        let trace = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
        return .object([
            "requestID": .string(context.requestID),
            "deadlineMilliseconds": .number(Double(context.deadlineMilliseconds)),
            "remainingMilliseconds": .number(Double(context.remainingTime.components.seconds * 1000)),
            "invokedFunctionARN": .string(context.invokedFunctionARN),
            "traceID": context.traceID.map(JSONValue.string) ?? .null,
            "traceEnvironment": trace.map(JSONValue.string) ?? .null,
            "clientContext": context.clientContext.map(JSONValue.string) ?? .null,
            "cognitoIdentity": context.cognitoIdentity.map(JSONValue.string) ?? .null,
            "functionName": .string(context.function.name),
            "functionVersion": .string(context.function.version),
            "memoryLimitMB": .number(Double(context.function.memoryLimitMB)),
            "greeting": .string(greeting),
            "pid": .number(Double(getpid())),
        ])
    }

    private func handleHTTP(_ event: JSONValue, context: LambdaContext) async throws -> JSONValue {
        let action = event["pathParameters"]?["action"]?.stringValue ?? "echo"
        switch action {
        case "raw":
            return .object(["plain": .bool(true)])
        case "binary":
            let bytes: [UInt8] = [0, 1, 2, 254, 255]
            return .object([
                "statusCode": .number(200), "headers": .object(["content-type": .string("application/octet-stream")]),
                "body": .string(Data(bytes).base64EncodedString()), "isBase64Encoded": .bool(true),
            ])
        case "cookies":
            return .object([
                "statusCode": .number(201), "cookies": .array([.string("a=1; Path=/"), .string("b=2; HttpOnly")]),
                "body": .string("cookies set"),
            ])
        case "bad-status":
            return .object(["statusCode": .string("two hundred")])
        case "sleep", "throw", "crash", "large":
            var members: [String: JSONValue] = ["action": .string(action)]
            if let query = event["queryStringParameters"], case .object(let parameters) = query {
                for (name, value) in parameters {
                    members[name] = value.stringValue.flatMap(Int.init).map { .number(Double($0)) } ?? value
                }
            }
            let result = try await perform(action, event: .object(members), context: context)
            return httpJSON(result)
        default:
            return httpJSON(event)
        }
    }

    private func httpJSON(_ value: JSONValue) -> JSONValue {
        let body = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return .object([
            "statusCode": .number(200), "headers": .object(["content-type": .string("application/json")]),
            "body": .string(body),
        ])
    }
}
