import Foundation
import HTTPTypes
import Hummingbird
import LambdaRuntime

/// The API Gateway HTTP API in front of the functions: routes each request by the manifests,
/// invokes the function with a payload 2.0 event and maps its answer back. The development
/// sign-in's paths come first and are answered by the emulator itself.
struct APIGatewayResponder: HTTPResponder {
    typealias Context = PeerRequestContext

    /// API Gateway's limit on a request body: 10 MB.
    static let maximumRequestBytes = 10 * 1024 * 1024
    /// Lambda's limit on a synchronous invocation's payload: the event API Gateway makes of a
    /// request, its body escaped into a JSON string (or base64), must fit in it too.
    static let maximumEventBytes = 6_291_456

    let routes: RouteTable
    let accountID: String
    /// API Gateway's integration timeout: 30 seconds at most.
    let integrationTimeout: Duration
    /// The development sign-in's key; its origin is this server's, known once it listens.
    let signingKey: DevelopmentSigningKey
    /// The host the server listens on, for its origin.
    let host: String
    let invoke: @Sendable (String, Invocation) async throws -> InvocationResult

    func respond(to request: Request, context: Context) async throws -> Response {
        let response = await gatewayResponse(for: request, context: context)
        return Response(status: response.status, fields: response.headers, body: Array(response.body))
    }

    private func gatewayResponse(for request: Request, context: Context) async -> GatewayResponse {
        let rawPath = request.uri.path
        if DevelopmentSignInHandler.reservedPaths.contains(rawPath) {
            return await developmentSignInResponse(for: request, context: context)
        }
        guard let match = routes.match(method: request.method.rawValue, path: rawPath) else { return .notFound }
        guard let body = try? await request.collectBody(limit: Self.maximumRequestBytes) else {
            return .payloadTooLarge
        }
        let event = GatewayEvent(
            method: request.method.rawValue, rawPath: rawPath, rawQuery: request.uri.query ?? "",
            headers: request.headers.map { ($0.name.rawName, $0.value) }, body: Data(body),
            sourceIP: context.sourceIP, accountID: accountID, match: match)
        let requestID = UUID().uuidString.lowercased()
        // The stream encoder: JSONEncoder was 4 % of the emulator's CPU per request.
        guard let payload = try? JSONStreamEncoder().encode(event.request(requestID: requestID, at: Date())) else {
            return .badGateway
        }
        // Lambda refuses the event (RequestEntityTooLargeException) and API Gateway answers 413.
        guard payload.count <= Self.maximumEventBytes else { return .payloadTooLarge }
        let invocation = Invocation(payload: Data(payload))
        let outcome = await firstResult(within: integrationTimeout) { [invoke] in
            try? await invoke(match.function, invocation)
        }
        switch outcome {
        case .some(.success(let output)): return GatewayResponse(functionOutput: output)
        case .some(.failure): return .badGateway
        case nil, .some(nil): return .serviceUnavailable
        }
    }

    private func developmentSignInResponse(for request: Request, context: Context) async -> GatewayResponse {
        guard let body = try? await request.collectBody(limit: DevelopmentSignInHandler.maximumRequestBytes) else {
            return .payloadTooLarge
        }
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            let separator = name == "cookie" ? "; " : ","
            headers[name] = headers[name].map { $0 + separator + field.value } ?? field.value
        }
        headers["host"] = request.head.authority
        let signIn = DevelopmentSignIn(signingKey: signingKey, origin: "http://\(host):\(context.localPort)")
        return DevelopmentSignInHandler(signIn: signIn).response(
            to: .init(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                headers: headers, body: Data(body)))
    }
}
