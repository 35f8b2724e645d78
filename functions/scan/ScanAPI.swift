import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The REST side: cloud accounts (connect, verify, list, disconnect), scans (start, show, list,
/// delete) and their results (resources, costs, waste findings), for a signed-in person or an
/// API key (writes need `kloudhub:write`).
struct ScanAPI: APIFunction {
    let authenticator: Authenticator
    let database: PostgresClient
    let connections: CloudConnections
    let invoker: JobQueue
    let requestLog: RequestLog?

    func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .restAPI)
        let id = try request.pathParameters?["id"].map(Self.uuid)
        let cloudAccounts = CloudAccountsEndpoint(
            database: database, connections: connections, invoker: invoker, caller: caller)
        let scans = ScansEndpoint(database: database, caller: caller)
        let results = ResultsEndpoint(database: database, caller: caller)
        switch (request.routeKey, id) {
        case ("GET /v1/cloud-accounts", _): return try cloudAccounts.list()
        case ("POST /v1/cloud-accounts", _): return try await cloudAccounts.connect(request)
        case ("POST /v1/cloud-accounts/{id}/verify", let id?): return try await cloudAccounts.verify(id)
        case ("DELETE /v1/cloud-accounts/{id}", let id?): return try cloudAccounts.disconnect(id)
        case ("POST /v1/cloud-accounts/{id}/scans", let id?): return try await cloudAccounts.startScan(id, request)
        case ("GET /v1/scans", _): return try scans.list()
        case ("GET /v1/scans/{id}", let id?): return try scans.show(id)
        case ("DELETE /v1/scans/{id}", let id?): return try scans.delete(id)
        case ("GET /v1/resources", _): return try results.resources(request)
        case ("GET /v1/costs", _): return try results.costs(request)
        case ("GET /v1/waste-findings", _): return try results.findings(request)
        default: throw APIError.unknownRoute(request)
        }
    }

    static func uuid(_ text: String) throws(APIError) -> UUID {
        guard let id = UUID(uuidString: text) else { throw APIError(.notFound, "not_found", "no such item") }
        return id
    }
}
