import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The REST side: Klouds (create, read, update, list, delete, validated with Terraform) and
/// deployments (start, list, show, read the log, cancel), for a signed-in person or an API key
/// (writes need `kloudhub:write`).
struct DeployAPI: APIFunction {
    let authenticator: Authenticator
    let database: PostgresClient
    let klouds: KloudStore
    let validator: TerraformValidator
    /// Nil where runs cannot start here (no Terraform).
    let deployments: DeploymentQueue?
    let s3: S3Client
    let logsBucket: String
    let requestLog: RequestLog?

    func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .restAPI)
        let id = try request.pathParameters?["id"].map(PathID.parse)
        let kloudsEndpoint = KloudsEndpoint(store: klouds, validator: validator, database: database, caller: caller)
        let deploymentsEndpoint = DeploymentsEndpoint(
            database: database, queue: deployments, s3: s3, logsBucket: logsBucket, caller: caller)
        switch (request.routeKey, id) {
        case ("GET /v1/klouds", _): return try kloudsEndpoint.list()
        case ("POST /v1/klouds", _): return try await kloudsEndpoint.create(request)
        case ("GET /v1/klouds/{id}", let id?): return try await kloudsEndpoint.show(id)
        case ("PUT /v1/klouds/{id}", let id?): return try await kloudsEndpoint.update(id, request)
        case ("DELETE /v1/klouds/{id}", let id?): return try await kloudsEndpoint.delete(id)
        case ("POST /v1/klouds/{id}/deployments", let id?): return try await deploymentsEndpoint.start(id, request)
        case ("GET /v1/deployments", _): return try deploymentsEndpoint.list(request)
        case ("GET /v1/deployments/{id}", let id?): return try deploymentsEndpoint.show(id)
        case ("GET /v1/deployments/{id}/logs", let id?): return try await deploymentsEndpoint.log(id, request)
        case ("POST /v1/deployments/{id}/cancel", let id?): return try deploymentsEndpoint.cancel(id)
        default: throw APIError.unknownRoute(request)
        }
    }
}

/// A path's `{id}`: an unknown shape is an unknown item.
enum PathID {
    static func parse(_ text: String) throws(APIError) -> UUID {
        guard let id = UUID(uuidString: text) else { throw APIError(.notFound, "not_found", "no such item") }
        return id
    }
}
