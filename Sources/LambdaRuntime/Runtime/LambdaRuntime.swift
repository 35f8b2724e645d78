import FoundationEssentials
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The custom runtime loop: initialize the handler, then take events from the Runtime API
/// and report each result, until Lambda shuts the sandbox down.
public enum LambdaRuntime {
    /// Runs the loop forever with the handler `makeHandler` builds.
    ///
    /// If `makeHandler` throws, the error goes to `/init/error` and the process exits. A failing
    /// `next` (Lambda answers 500 when the sandbox must go) ends the process at once.
    public static func run<Handler: LambdaHandler>(
        _ makeHandler: (LambdaInitContext) async throws -> Handler
    ) async -> Never {
        ShutdownSignal.install()
        let environment = ProcessEnvironment.current()
        let function = FunctionEnvironment(environment: environment)
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, environment: environment) }
        var logger = Logger(label: function.name)
        logger[metadataKey: "function"] = "\(function.name)"

        guard let address = environment["AWS_LAMBDA_RUNTIME_API"], !address.isEmpty else {
            logger.critical("runtime api address missing", metadata: ["variable": "AWS_LAMBDA_RUNTIME_API"])
            exit(1)
        }
        let client: RuntimeAPIClient
        do {
            client = try RuntimeAPIClient(hostAndPort: address)
        } catch {
            logger.critical("runtime api address invalid", metadata: ["error": "\(error)"])
            exit(1)
        }

        let handler: Handler
        do {
            handler = try await makeHandler(
                LambdaInitContext(function: function, environment: environment, logger: logger))
        } catch {
            logger.error("init failed", metadata: ["error": "\(error)"])
            var report = ErrorReport(handlerError: error)
            report.category = .runtime
            report.errorType = "InitError"
            _ = try? client.failInitialization(error: report)
            exit(1)
        }

        var loop = InvocationLoop(client: client, handler: handler, function: function, logger: logger)
        await loop.run()
    }
}

/// One handler's invocations, one after another.
struct InvocationLoop<Handler: LambdaHandler> {
    let client: RuntimeAPIClient
    let handler: Handler
    let function: FunctionEnvironment
    let logger: Logger
    private let decoder = JSONDecoder()
    private let encoder = JSONStreamEncoder()

    init(client: RuntimeAPIClient, handler: Handler, function: FunctionEnvironment, logger: Logger) {
        self.client = client
        self.handler = handler
        self.function = function
        self.logger = logger
    }

    mutating func run() async -> Never {
        while true {
            let invocation: RuntimeAPIClient.Invocation
            do {
                invocation = try client.next()
            } catch {
                if ShutdownSignal.isRequested { exit(0) }
                logger.critical("next failed", metadata: ["error": "\(error)"])
                exit(1)
            }
            ShutdownSignal.setInvoking(true)
            await handle(invocation)
            ShutdownSignal.setInvoking(false)
            if ShutdownSignal.isRequested { exit(0) }
        }
    }

    private func handle(_ invocation: RuntimeAPIClient.Invocation) async {
        if let traceID = invocation.traceID {
            setenv("_X_AMZN_TRACE_ID", traceID, 1)
        } else {
            unsetenv("_X_AMZN_TRACE_ID")
        }
        var logger = self.logger
        logger[metadataKey: "requestId"] = "\(invocation.requestID)"
        let context = LambdaContext(
            requestID: invocation.requestID, deadlineMilliseconds: invocation.deadlineMilliseconds,
            invokedFunctionARN: invocation.invokedFunctionARN, traceID: invocation.traceID,
            clientContext: invocation.clientContext, cognitoIdentity: invocation.cognitoIdentity,
            function: function, logger: logger)

        // Every wait below the handler ends in time to answer (InvocationDeadline).
        let waitsEndBy = ContinuousClock.now + context.remainingTime - InvocationDeadline.reserve
        await InvocationDeadline.$waitsEndBy.withValue(waitsEndBy) {
            let acknowledgement: RuntimeAPIClient.Acknowledgement
            do {
                acknowledgement = try report(
                    await outcome(of: invocation, context: context), for: invocation.requestID)
            } catch {
                logger.error("report failed", metadata: ["error": "\(error)"])
                await context.afterResponse.run()
                return
            }
            if case .refused(let status, let body) = acknowledgement {
                logger.error("result refused", metadata: ["status": "\(status)", "reason": "\(body)"])
            }
            await context.afterResponse.run()
        }
    }

    private enum Outcome {
        case response([UInt8])
        case failure(ErrorReport)
    }

    private func outcome(of invocation: RuntimeAPIClient.Invocation, context: LambdaContext) async -> Outcome {
        let event: Handler.Event
        do {
            event = try decoder.decode(Handler.Event.self, from: Data(invocation.body))
        } catch {
            return .failure(
                ErrorReport(
                    category: .runtime, errorType: "UnmarshalError",
                    message: "Unable to unmarshal input: \(Self.describe(decodingError: error))"))
        }
        do {
            let output = try await handler.handle(event, context: context)
            return .response(Array(try encoder.encode(output)))
        } catch {
            context.logger.error(
                "invocation failed", metadata: ["errorType": "\(ErrorReport(handlerError: error).errorType)"])
            return .failure(ErrorReport(handlerError: error))
        }
    }

    private func report(
        _ outcome: Outcome, for requestID: String
    ) throws(RuntimeError)
        -> RuntimeAPIClient.Acknowledgement
    {
        switch outcome {
        case .response(let body): try client.respond(requestID: requestID, body: body)
        case .failure(let report): try client.fail(requestID: requestID, error: report)
        }
    }

    private static func describe(decodingError error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        switch decodingError {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context),
            .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
