import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The mcp function: KloudHub's MCP server over Streamable HTTP at `/mcp`, stateless, one
/// JSON response per POST (DESIGN.md section 8; PP-mcp-auth, PP-mcp-data, PP-scope).
struct MCPFunction: APIFunction {
    let settings: OAuthSettings
    /// Origins a browser may call from (DNS-rebinding protection); requests without `Origin`
    /// (every non-browser client) are not affected.
    let allowedOrigins: Set<String>
    let authenticator: Authenticator
    let server: MCPServer
    let requestLog: RequestLog?

    /// The largest request body accepted.
    static let bodyLimit = 256 * 1024

    /// API keys, and OAuth access tokens issued for this resource; never a browser session.
    var policy: Authenticator.Policy {
        Authenticator.Policy(acceptsAPIKeys: true, oauthResource: settings.mcpResource, acceptsClerkSessions: false)
    }

    var resourceMetadataURL: String? { settings.resourceMetadataURL }

    static func live(environment: [String: String]) async throws -> MCPFunction {
        var reader = EnvironmentReader(environment)
        return try await live(configuration: MCPConfiguration(reading: &reader))
    }

    static func live(configuration: MCPConfiguration) async throws -> MCPFunction {
        let settings = configuration.oauth
        let http = HTTPClient(configuration: configuration.platform.http)
        let (database, requestLog) = try await configuration.platform.openDatabase(httpClient: http)
        var origins: Set<String> = [origin(of: settings.issuer)]
        for extra in configuration.allowedOrigins { origins.insert(origin(of: extra)) }
        // start_scan and the deployment tools hand their work to the scan and deploy functions,
        // where this function has AWS access.
        let lambda = LambdaClient(configuration: configuration.platform.aws, httpClient: http)
        let prefix = configuration.functionNamePrefix
        let scans = JobQueue(lambda: lambda, functionName: FunctionName.deployed("scan", prefix: prefix))
        let deployments = DeploymentQueue(
            database: database,
            jobs: JobQueue(lambda: lambda, functionName: FunctionName.deployed("deploy", prefix: prefix)))
        return MCPFunction(
            settings: settings, allowedOrigins: origins, authenticator: Authenticator(database: database, clerk: nil),
            server: MCPServer(catalog: .standard, database: database, scans: scans, deployments: deployments),
            requestLog: requestLog)
    }

    func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
        if let origin = request.header("origin"), !allowedOrigins.contains(Self.origin(of: origin)) {
            return MCPResponse.error(
                403, .invalidRequest("Forbidden: requests from origin \(origin.prefix(200)) are not allowed"))
        }
        switch request.routeKey {
        case "POST /mcp":
            let caller = try await authenticator.authenticate(request, policy: policy)
            return try await MCPExchange(request: request, caller: caller, server: server, logger: context.logger)
                .respond()
        case "GET /mcp", "DELETE /mcp":
            return APIError(
                .methodNotAllowed, "method_not_allowed",
                "this MCP server is stateless: send each JSON-RPC message as a POST; there are no streams or sessions",
                headers: ["Allow": "POST"]
            ).response
        default:
            throw APIError.unknownRoute(request)
        }
    }

    /// `scheme://host[:port]`, lowercased, of a URL or origin.
    static func origin(of text: String) -> String {
        guard let url = URL(string: text), let scheme = url.scheme, let host = url.host else {
            return text.lowercased()
        }
        return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")".lowercased()
    }
}
