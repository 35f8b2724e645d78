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
        } catch  where APIError.isUnavailability(error) {
            context.logger.warning(
                "request not served: a dependency is unavailable",
                metadata: ["route": "\(request.routeKey)", "error": "\(String(reflecting: error))"])
            return APIError.temporarilyUnavailable.response
        } catch {
            context.logger.error(
                "request failed", metadata: ["route": "\(request.routeKey)", "error": "\(String(reflecting: error))"])
            return APIError.internalError.response
        }
    }
}

extension APIError {
    /// The answer when the database or AWS did not answer in time or could not be reached: the
    /// request may succeed if sent again, so it says when.
    public static let temporarilyUnavailable = APIError(
        .serviceUnavailable, "temporarily_unavailable",
        "KloudHub could not reach a service it needs; try again shortly",
        headers: ["Retry-After": "1"])

    /// Whether `error` is an outage rather than a defect: the database unreachable, a lost
    /// connection, no answer before the invocation's deadline, AWS out of reach.
    static func isUnavailability(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresError:
            [.connectionFailed, .connectionLost, .deadlineExceeded, .queryCanceled].contains(error.kind)
        case let error as AWSError:
            error.code == .transportFailed || error.statusCode.map { $0 >= 500 || $0 == 429 } == true
        default:
            false
        }
    }

    /// The answer to a route key the function does not serve.
    public static func unknownRoute(_ request: APIGatewayV2Request) -> APIError {
        APIError(.notFound, "not_found", "no such endpoint: \(request.requestContext.http.method) \(request.rawPath)")
    }
}
