import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The authorize function: the authorization server's metadata, client registration, the
/// authorization endpoint with its consent page, and Clerk's webhooks (DESIGN.md section 7).
struct AuthorizeFunction: APIFunction {
    /// The cookie that ties a consent form to the browser it was shown in (double submit).
    static let consentCookie = "kh_consent"

    let settings: OAuthSettings
    let authenticator: Authenticator
    let clients: ClientStore
    let tokens: OAuthTokenService
    let accounts: AccountDirectory
    let signInURL: String?
    let webhooks: WebhookVerifier?
    let clientMetadata: ClientMetadataDocumentFetcher
    /// Hands a deleted Clerk user's account to account-delete.
    let erasureHandOff: ErasureHandOff
    let requestLog: RequestLog?

    static func live(environment: [String: String]) async throws -> AuthorizeFunction {
        var reader = EnvironmentReader(environment)
        return try await live(configuration: AuthorizeConfiguration(reading: &reader))
    }

    static func live(configuration: AuthorizeConfiguration) async throws -> AuthorizeFunction {
        let http = HTTPClient(configuration: configuration.platform.http)
        let (database, requestLog) = try await configuration.platform.openDatabase(httpClient: http)
        let clerk = try configuration.clerk.map { try ClerkSessionVerifier(configuration: $0, httpClient: http) }
        // Only tests serve metadata documents from loopback http; a deployed server never does.
        let metadataPolicy: ClientMetadataDocumentFetcher.FetchPolicy =
            configuration.allowsLoopbackClientMetadata ? .allowingLoopbackHTTP : .internet
        return AuthorizeFunction(
            settings: configuration.oauth, authenticator: Authenticator(database: database, clerk: clerk),
            clients: ClientStore(database: database),
            tokens: OAuthTokenService(database: database, settings: configuration.oauth),
            accounts: AccountDirectory(database: database), signInURL: configuration.signInURL,
            webhooks: try configuration.webhookSecret.map { try WebhookVerifier(secret: $0) },
            clientMetadata: ClientMetadataDocumentFetcher(httpClient: http, policy: metadataPolicy),
            erasureHandOff: ErasureHandOff(
                lambda: LambdaClient(configuration: configuration.platform.aws, httpClient: http),
                deployedName: FunctionName.deployed(
                    ErasureHandOff.functionName, prefix: configuration.functionNamePrefix)),
            requestLog: requestLog)
    }

    func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
        switch request.routeKey {
        case "GET /.well-known/oauth-authorization-server":
            return APIResponse.json(.ok, AuthorizationServerMetadata(settings: settings), headers: Self.publicCache)
        case "GET /.well-known/oauth-protected-resource", "GET /.well-known/oauth-protected-resource/mcp":
            return APIResponse.json(.ok, ProtectedResourceMetadata(settings: settings), headers: Self.publicCache)
        case "POST /oauth/register", "POST /register":
            return try register(request)
        case "GET /oauth/authorize", "GET /authorize":
            return try await authorize(request, items: request.queryItems)
        case "POST /oauth/authorize":
            return try await decide(request)
        case "POST /webhooks/clerk":
            return try await clerkWebhook(request, context: context)
        default:
            throw APIError.unknownRoute(request)
        }
    }

    /// Metadata may be cached briefly by clients and proxies.
    private static let publicCache = ["Cache-Control": "public, max-age=300"]

    // MARK: - Registration

    private func register(_ request: APIGatewayV2Request) throws -> APIGatewayV2Response {
        guard request.mediaType == "application/json" else {
            throw APIError(.badRequest, "invalid_client_metadata", "the body must be application/json")
        }
        guard let body = request.bodyBytes, body.count <= 16 * 1024 else {
            throw APIError(.payloadTooLarge, "invalid_client_metadata", "the registration is too large")
        }
        let registration = try ClientRegistrationRequest(json: body)
        // Only a registration that would be made counts: bad input is refused before the budget.
        let budget = RegistrationBudget(sourceIP: request.requestContext.http.sourceIp)
        return APIResponse.json(.created, try clients.register(registration, within: budget, now: Date()))
    }

    // MARK: - Authorization

    private func authorize(
        _ request: APIGatewayV2Request, items: [(name: String, value: String)]
    ) async throws -> APIGatewayV2Response {
        let authorization: AuthorizationRequest
        do {
            authorization = try await AuthorizationRequest.parse(items, settings: settings, findClient: findClient)
        } catch let problem as AuthorizationRequest.Problem {
            return answer(problem)
        }
        guard let session = request.cookie(named: "__session") else { return signIn(request) }
        do {
            _ = try await authenticator.authenticateSession(token: session)
        } catch .unavailable {
            throw AuthenticationError.unavailable
        } catch {
            return signIn(request)
        }
        let csrfToken = SecretToken.randomText(bytes: 32)
        return APIResponse.html(
            .ok, ConsentPage.consent(for: authorization, csrfToken: csrfToken),
            headers: ConsentPage.headers(for: authorization),
            cookies: [cookie(Self.consentCookie, csrfToken, maxAge: 600)])
    }

    /// The consent form's answer: a code, or `access_denied`, sent to the verified redirect URI.
    private func decide(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        let fields = try request.formFields()
        let items = fields.filter { $0.key != "csrf_token" && $0.key != "decision" }.map {
            (name: $0.key, value: $0.value)
        }
        let authorization: AuthorizationRequest
        do {
            authorization = try await AuthorizationRequest.parse(items, settings: settings, findClient: findClient)
        } catch let problem as AuthorizationRequest.Problem {
            return answer(problem)
        }
        guard let expected = request.cookie(named: Self.consentCookie), let presented = fields["csrf_token"],
            expected.utf8.count >= 43, expected == presented
        else {
            return APIResponse.html(
                .forbidden, ConsentPage.error("The consent form expired or came from another page; start again"))
        }
        guard let session = request.cookie(named: "__session") else { return signIn(request) }
        let caller = try await authenticator.authenticateSession(token: session)
        let clearCSRF = [cookie(Self.consentCookie, "", maxAge: 0)]
        var parameters: [(String, String)]
        switch fields["decision"] {
        case "allow":
            let code = try tokens.issueCode(
                for: AuthorizationGrant(
                    accountID: caller.accountID, clientID: authorization.client.clientID,
                    redirectURI: authorization.redirectURI, codeChallenge: authorization.codeChallenge,
                    scopes: authorization.scopes, resource: authorization.resource))
            parameters = [("code", code)]
        case "deny":
            parameters = [("error", "access_denied"), ("error_description", "the person declined")]
        default:
            throw APIError(.badRequest, "invalid_request", "decision must be allow or deny")
        }
        if let state = authorization.state { parameters.append(("state", state)) }
        parameters.append(("iss", settings.issuer))
        return APIResponse.redirect(
            to: AuthorizationRequest.redirect(to: authorization.redirectURI, parameters), status: .seeOther,
            cookies: clearCSRF)
    }

    /// A registered client, or one known by the Client ID Metadata Document its URL serves
    /// (fetched again when its cache expires, and recorded for the token endpoint).
    private func findClient(_ clientID: String) async throws -> OAuthClient? {
        guard clientID.hasPrefix("https://") || clientID.hasPrefix("http://") else { return try clients.find(clientID) }
        let now = Date()
        if let cached = try clients.findFreshMetadataDocumentClient(clientID, at: now) { return cached }
        let fetched: FetchedClientMetadata
        do {
            fetched = try await clientMetadata.document(for: clientID)
        } catch {
            throw AuthorizationRequest.Problem.page("the application's metadata document could not be used: \(error)")
        }
        let document = fetched.document
        let client = OAuthClient(
            clientID: document.clientID, clientName: document.clientName, redirectURIs: document.redirectURIs,
            grantTypes: document.grantTypes, authMethod: .none, clientURI: document.clientURI)
        try clients.saveMetadataDocumentClient(
            client, metadata: PostgresJSON(text: document.documentJSON), fetchedAt: now, expiresAt: fetched.expiresAt)
        return client
    }

    private func answer(_ problem: AuthorizationRequest.Problem) -> APIGatewayV2Response {
        switch problem {
        case .page(let message):
            return APIResponse.html(.badRequest, ConsentPage.error(message))
        case .redirect(let redirectURI, let error, let description, let state):
            var parameters = [("error", error), ("error_description", description)]
            if let state { parameters.append(("state", state)) }
            parameters.append(("iss", settings.issuer))
            return APIResponse.redirect(to: AuthorizationRequest.redirect(to: redirectURI, parameters))
        }
    }

    /// Sends a person who is not signed in to sign in, and back to this very request after.
    private func signIn(_ request: APIGatewayV2Request) -> APIGatewayV2Response {
        guard let signInURL else {
            return APIResponse.html(.serviceUnavailable, ConsentPage.error("Sign-in is not configured"))
        }
        var back = settings.issuer + "/oauth/authorize"
        if request.requestContext.http.method == "GET", !request.rawQueryString.isEmpty {
            back += "?" + request.rawQueryString
        }
        let separator = signInURL.contains("?") ? "&" : "?"
        return APIResponse.redirect(to: signInURL + separator + FormEncoding.encode([("redirect_url", back)]))
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        let secure = settings.issuer.hasPrefix("https://") ? "; Secure" : ""
        return "\(name)=\(value); Path=/oauth/authorize; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure)"
    }

    // MARK: - Clerk webhooks

    private struct ClerkEvent: Decodable {
        struct User: Decodable {
            struct EmailAddress: Decodable {
                var id: String
                var emailAddress: String

                enum CodingKeys: String, CodingKey {
                    case id
                    case emailAddress = "email_address"
                }
            }

            var id: String
            var emailAddresses: [EmailAddress]?
            var primaryEmailAddressID: String?
            var firstName: String?
            var lastName: String?

            enum CodingKeys: String, CodingKey {
                case id
                case emailAddresses = "email_addresses"
                case primaryEmailAddressID = "primary_email_address_id"
                case firstName = "first_name"
                case lastName = "last_name"
            }
        }

        var type: String
        var data: User
    }

    private struct WebhookAnswer: Encodable {
        var received: Bool
        var action: String
    }

    private func clerkWebhook(
        _ request: APIGatewayV2Request, context: LambdaContext
    ) async throws
        -> APIGatewayV2Response
    {
        guard let webhooks else { throw APIError(.notFound, "not_found", "webhooks are not configured") }
        guard let body = request.bodyBytes, body.count <= 256 * 1024 else {
            throw APIError(.payloadTooLarge, "invalid_request", "the webhook body is too large")
        }
        do {
            try webhooks.verify(
                id: request.header("svix-id"), timestamp: request.header("svix-timestamp"),
                signatures: request.header("svix-signature"), body: body)
        } catch {
            context.logger.warning("webhook refused", metadata: ["reason": "\(error)"])
            throw APIError(.unauthorized, "invalid_signature", "the webhook signature is missing, wrong or too old")
        }
        guard let event = try? JSONDecoder().decode(ClerkEvent.self, from: Data(body)) else {
            throw APIError(.badRequest, "invalid_request", "the webhook is not a Clerk user event")
        }
        let action: String
        switch event.type {
        case "user.created", "user.updated":
            let user = event.data
            let email =
                user.emailAddresses?.first { $0.id == user.primaryEmailAddressID }?.emailAddress
                ?? user.emailAddresses?.first?.emailAddress
            let name = [user.firstName, user.lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            do {
                _ = try accounts.upsert(clerkUserID: user.id, email: email, name: name)
                action = "account_saved"
            } catch AccountDirectory.Failure.erased {
                // A late event about a user whose account was deleted: it makes nothing again.
                action = "account_deleted"
            } catch let failure as AccountDirectory.Failure {
                throw APIError(.badRequest, "invalid_request", "the user has no usable email address (\(failure))")
            }
        case "user.deleted":
            // Access ends here; account-delete erases the account (the sweep, if the hand-off is lost).
            if let accountID = try accounts.requestDeletion(clerkUserID: event.data.id) {
                await handOff(accountID, context: context)
                action = "deletion_requested"
            } else {
                action = "no_account"
            }
        default:
            action = "ignored"
        }
        context.logger.info("clerk webhook", metadata: ["type": "\(event.type)", "action": "\(action)"])
        return APIResponse.json(.ok, WebhookAnswer(received: true, action: action))
    }

    /// Queues the erasure; a failure is logged, not answered, because the retention sweep
    /// starts any erasure whose hand-off was lost.
    private func handOff(_ accountID: UUID, context: LambdaContext) async {
        do {
            try await erasureHandOff.requestErasure(of: accountID, reason: .clerkWebhook)
        } catch {
            context.logger.warning("erasure hand-off failed; the sweep will run it", metadata: ["error": "\(error)"])
        }
    }
}
