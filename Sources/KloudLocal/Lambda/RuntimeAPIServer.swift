import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The Lambda Runtime API for one function instance, on its own loopback port, as each Lambda
/// sandbox has its own (`AWS_LAMBDA_RUNTIME_API`).
enum RuntimeAPIServer {
    /// Lambda's limit on a synchronous response: 6 MB.
    static let maximumResponseBytes = 6_291_556

    /// Starts serving instance `instanceID` of `pool` and returns once the port is bound.
    static func start(instanceID: Int, pool: FunctionPool) async throws -> ServerTask {
        try await ServerTask.start(
            RuntimeAPIResponder(instanceID: instanceID, pool: pool), host: "127.0.0.1", port: 0, name: "Runtime API")
    }
}

/// Answers the Runtime API's four calls for one instance.
private struct RuntimeAPIResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let instanceID: Int
    let pool: FunctionPool

    func respond(to request: Request, context: Context) async throws -> Response {
        let parts = request.uri.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "2018-06-01", parts[1] == "runtime" else { return notFound() }
        switch (request.method, parts.count, parts[2]) {
        case (.get, 4, "invocation") where parts[3] == "next":
            return await next()
        case (.post, 5, "invocation") where parts[4] == "response":
            return try await complete(request, requestID: parts[3], isError: false)
        case (.post, 5, "invocation") where parts[4] == "error":
            return try await complete(request, requestID: parts[3], isError: true)
        case (.post, 4, "init") where parts[3] == "error":
            let body = try await Self.collect(request).data
            await pool.initializationFailed(
                instanceID: instanceID, body: body, typeHeader: request.headers[errorTypeField])
            return Self.accepted
        default:
            return notFound()
        }
    }

    private var errorTypeField: HTTPField.Name { HTTPField.Name("Lambda-Runtime-Function-Error-Type")! }

    private func next() async -> Response {
        guard let assignment = await pool.nextInvocation(instanceID: instanceID) else {
            return Self.json(
                .internalServerError, ["errorMessage": "instance is shutting down", "errorType": "ShutdownError"])
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("Lambda-Runtime-Aws-Request-Id")!] = assignment.invocation.requestID
        headers[HTTPField.Name("Lambda-Runtime-Deadline-Ms")!] = String(assignment.deadlineMilliseconds)
        headers[HTTPField.Name("Lambda-Runtime-Invoked-Function-Arn")!] = assignment.functionARN
        headers[HTTPField.Name("Lambda-Runtime-Trace-Id")!] = assignment.invocation.traceID
        if let clientContext = assignment.invocation.clientContext {
            headers[HTTPField.Name("Lambda-Runtime-Client-Context")!] = clientContext
        }
        if let identity = assignment.invocation.cognitoIdentity {
            headers[HTTPField.Name("Lambda-Runtime-Cognito-Identity")!] = identity
        }
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: assignment.invocation.payload)))
    }

    private func complete(_ request: Request, requestID: String, isError: Bool) async throws -> Response {
        let (body, isTooLarge) = try await Self.collect(request)
        let outcome: FunctionPool.RuntimeOutcome
        if isTooLarge && !isError {
            outcome = .responseTooLarge
        } else if isError {
            outcome = .error(body, typeHeader: request.headers[errorTypeField])
        } else {
            outcome = .response(body)
        }
        switch await pool.complete(instanceID: instanceID, requestID: requestID, outcome: outcome) {
        case .accepted:
            if case .responseTooLarge = outcome {
                return Self.json(
                    .contentTooLarge,
                    [
                        "errorMessage":
                            "Exceeded maximum allowed payload size (\(RuntimeAPIServer.maximumResponseBytes) bytes).",
                        "errorType": "RequestEntityTooLarge",
                    ])
            }
            return Self.accepted
        case .unknownRequest:
            return Self.json(.badRequest, ["errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"])
        }
    }

    private func notFound() -> Response {
        Self.json(.notFound, ["errorMessage": "Unknown Runtime API call", "errorType": "NotFound"])
    }

    /// Reads the whole body, keeping at most the response limit but draining the rest, so the
    /// runtime can finish sending and read the answer on the same connection.
    private static func collect(_ request: Request) async throws -> (data: Data, isTooLarge: Bool) {
        guard let bytes = try await request.collectBody(limit: RuntimeAPIServer.maximumResponseBytes) else {
            return (Data(), true)
        }
        return (Data(bytes), false)
    }

    /// The answer to every accepted result, made once: it ends every invocation, and
    /// serializing it each time was 2 % of the emulator's CPU.
    private static let accepted = json(.accepted, ["status": "OK"])

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
