import Foundation
import HTTPTypes
import Hummingbird
import LambdaRuntime

/// The API Gateway HTTP API in front of the functions: routes each request by the manifests,
/// invokes the function with a payload 2.0 event and maps its answer back.
struct APIGatewayResponder: HTTPResponder {
    typealias Context = PeerRequestContext

    /// API Gateway's limit on a request body: 10 MB.
    static let maximumRequestBytes = 10 * 1024 * 1024

    let routes: RouteTable
    let accountID: String
    /// API Gateway's integration timeout: 30 seconds at most.
    let integrationTimeout: Duration
    let invoke: @Sendable (String, Invocation) async throws -> InvocationResult

    func respond(to request: Request, context: Context) async throws -> Response {
        let response = await gatewayResponse(for: request, context: context)
        return Response(status: response.status, fields: response.headers, body: Array(response.body))
    }

    private func gatewayResponse(for request: Request, context: Context) async -> GatewayResponse {
        let rawPath = request.uri.path
        guard let match = routes.match(method: request.method.rawValue, path: rawPath) else { return .notFound }
        guard let body = try? await request.collectBody(limit: Self.maximumRequestBytes) else {
            return .payloadTooLarge
        }
        let event = GatewayEvent(
            method: request.method.rawValue, rawPath: rawPath, rawQuery: request.uri.query ?? "",
            headers: request.headers.map { ($0.name.rawName, $0.value) }, body: Data(body),
            sourceIP: context.sourceIP, accountID: accountID, match: match)
        let requestID = UUID().uuidString.lowercased()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let payload = try? encoder.encode(event.request(requestID: requestID, at: Date())) else {
            return .badGateway
        }
        let invocation = Invocation(payload: payload)
        let outcome = await firstResult(within: integrationTimeout) { [invoke] in
            try? await invoke(match.function, invocation)
        }
        switch outcome {
        case .some(.success(let output)): return GatewayResponse(functionOutput: output)
        case .some(.failure): return .badGateway
        case nil, .some(nil): return .serviceUnavailable
        }
    }
}
