import FoundationEssentials
import LambdaRuntime
import Logging

/// A function behind API Gateway: it routes by the event's route key (the manifest's route
/// that matched), answers every failure as a JSON error, never with internal detail, and logs
/// every request to the request log after the response has gone (PP-logs).
public protocol APIFunction: LambdaHandler where Event == APIGatewayV2Request, Output == APIGatewayV2Response {
    /// The protected-resource metadata URL named in 401 challenges, if the function names one.
    var resourceMetadataURL: String? { get }

    /// Where requests are logged: the function's database, from its configuration. Nil logs
    /// nothing (only the benchmark that measures what logging costs turns it off).
    var requestLog: RequestLog? { get }

    /// Answers a request; throws ``APIError`` or ``AuthenticationError`` to refuse it.
    func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response
}

extension APIFunction {
    public var resourceMetadataURL: String? { nil }

    public func handle(_ request: APIGatewayV2Request, context: LambdaContext) async -> APIGatewayV2Response {
        let receivedAt = Date()
        let started = ContinuousClock.now
        let attribution = RequestAttribution()
        let response = await RequestAttribution.$current.withValue(attribution) {
            await answer(request, context: context)
        }
        if let requestLog {
            let entry = RequestLogEntry(
                request: request, status: response.statusCode, accountID: attribution.accountID,
                functionName: context.function.name, duration: ContinuousClock.now - started, receivedAt: receivedAt)
            let logger = context.logger
            context.afterResponse.add { requestLog.record(entry, logger: logger) }
        }
        return response
    }

    private func answer(_ request: APIGatewayV2Request, context: LambdaContext) async -> APIGatewayV2Response {
        do {
            return try await respond(to: request, context: context)
        } catch let error as APIError {
            return error.response
        } catch let error as AuthenticationError {
            context.logger.info("request not authenticated", metadata: ["reason": "\(error)"])
            return error.response(resourceMetadata: resourceMetadataURL)
        } catch {
            context.logger.error(
                "request failed", metadata: ["route": "\(request.routeKey)", "error": "\(String(reflecting: error))"])
            return APIError.internalError.response
        }
    }
}

extension APIError {
    /// The answer to a route key the function does not serve.
    public static func unknownRoute(_ request: APIGatewayV2Request) -> APIError {
        APIError(.notFound, "not_found", "no such endpoint: \(request.requestContext.http.method) \(request.rawPath)")
    }
}
