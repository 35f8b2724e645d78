import Crypto
import Foundation
import KloudCore

/// Credentials for the sample events under `functions/NAME/events/`, made the way a person and
/// a client would make them against the running emulator: a session from the development
/// sign-in, an API key created with that session (`POST /v1/api-keys`), and an OAuth access
/// token from registration, consent and a PKCE code exchange. An event names them as
/// `{{session}}`, `{{api_key}}` and `{{access_token}}`; each is made once, when first needed.
public actor SampleCredentials {
    public enum Placeholder: String, CaseIterable, Sendable {
        case session = "{{session}}"
        case apiKey = "{{api_key}}"
        case accessToken = "{{access_token}}"
    }

    /// Why a credential could not be made: the step, and what the gateway answered.
    public struct Failure: Error, CustomStringConvertible {
        public let step: String
        public let status: Int
        public let body: String
        public var description: String { "sample credentials: \(step) answered \(status): \(body.prefix(300))" }
    }

    private let gateway: String
    private let makeSession: @Sendable () throws -> String
    private let httpClient: HTTPClient
    private var made: [Placeholder: String] = [:]
    private var revocations: [String] = []

    /// Credentials of the person `makeSession` signs in, made through the gateway at `gateway`.
    public init(
        gateway: String, httpClient: HTTPClient = HTTPClient(), makeSession: @escaping @Sendable () throws -> String
    ) {
        self.gateway = gateway
        self.httpClient = httpClient
        self.makeSession = makeSession
    }

    /// Credentials of the person with address `email`, signed in by the emulator's development
    /// sign-in and made through its gateway.
    public init(
        signIn: DevelopmentSignIn, email: String = "sample@kloudhub.test", httpClient: HTTPClient = HTTPClient()
    ) {
        self.init(gateway: signIn.origin, httpClient: httpClient) {
            try signIn.sessionToken(name: "Sample Person", email: email)
        }
    }

    /// `event` with every placeholder it holds replaced by its credential, and, for an API
    /// Gateway event, stamped with the time it is sent, as API Gateway stamps a request (the
    /// request log files a request under that day).
    public func fill(_ event: Data, now: Date = Date()) async throws -> Data {
        var text = String(decoding: event, as: UTF8.self)
        for placeholder in Placeholder.allCases where text.contains(placeholder.rawValue) {
            text = text.replacing(placeholder.rawValue, with: try await credential(placeholder))
        }
        guard var object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            var context = object["requestContext"] as? [String: Any], context["timeEpoch"] != nil
        else { return Data(text.utf8) }
        context["timeEpoch"] = Int((now.timeIntervalSince1970 * 1000).rounded(.down))
        context["time"] = Self.requestTime.string(from: now)
        object["requestContext"] = context
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// API Gateway's `requestContext.time`: `29/Nov/2026:06:00:00 +0000`.
    private static let requestTime: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter
    }()

    /// The credential `placeholder` stands for, made on first use.
    public func credential(_ placeholder: Placeholder) async throws -> String {
        if let known = made[placeholder] { return known }
        let value: String
        switch placeholder {
        case .session: value = try makeSession()
        case .apiKey: value = try await createAPIKey()
        case .accessToken: value = try await connectClient()
        }
        made[placeholder] = value
        return value
    }

    /// Revokes the API key and the OAuth connection made, so that samples run again and again
    /// never pile up keys (a person may hold 50).
    public func revoke() async throws {
        guard let session = made[.session] else { return }
        for path in revocations {
            _ = try await send(
                "revoke \(path)", "DELETE", path, expecting: 204, headers: ["Authorization": "Bearer \(session)"])
        }
        revocations = []
        made = [.session: session]
    }

    private func createAPIKey() async throws -> String {
        let session = try await credential(.session)
        let created = try await send(
            "create an API key", "POST", "/v1/api-keys", expecting: 201,
            headers: ["Authorization": "Bearer \(session)", "Content-Type": "application/json"],
            body: #"{"name":"sample events","scopes":["kloudhub:read","kloudhub:write"]}"#)
        let key = try decode(APIKeyService.CreatedKey.self, from: created, step: "create an API key")
        revocations.append("/v1/api-keys/\(key.apiKey.id.uuidString.lowercased())")
        return key.key
    }

    /// Registers a public client, consents as the sample person and exchanges the code.
    private func connectClient() async throws -> String {
        let session = try await credential(.session)
        let redirect = "http://127.0.0.1/sample-callback"
        let registered = try await send(
            "register a client", "POST", "/oauth/register", expecting: 201,
            headers: ["Content-Type": "application/json"],
            body: """
                {"client_name":"Sample events","redirect_uris":["\(redirect)"],"token_endpoint_auth_method":"none",\
                "grant_types":["authorization_code","refresh_token"],"response_types":["code"]}
                """)
        let clientID = try decode(Registration.self, from: registered, step: "register a client").clientId
        revocations.append("/v1/oauth-connections/\(Base64URL.encode(Array(clientID.utf8)))")
        let verifier = Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        let challenge = Base64URL.encode(Array(SHA256.hash(data: Data(verifier.utf8))))
        let resource = gateway + "/mcp"
        let query = FormEncoding.encode([
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirect),
            ("code_challenge", challenge), ("code_challenge_method", "S256"), ("state", "sample"),
            ("scope", "kloudhub:read kloudhub:write"), ("resource", resource),
        ])
        let page = try await send(
            "show the consent page", "GET", "/oauth/authorize?" + query, expecting: 200,
            headers: ["Cookie": "__session=\(session)"])
        guard let consentCookie = Self.cookie("kh_consent", in: page) else {
            throw Failure(step: "show the consent page", status: page.status, body: "no kh_consent cookie")
        }
        let fields = ConsentForm.hiddenFields(String(decoding: page.body, as: UTF8.self)) + [("decision", "allow")]
        let answer = try await send(
            "consent", "POST", "/oauth/authorize", expecting: 303,
            headers: [
                "Cookie": "__session=\(session); kh_consent=\(consentCookie)",
                "Content-Type": "application/x-www-form-urlencoded",
            ],
            body: FormEncoding.encode(fields))
        let location = answer.headers["Location"] ?? ""
        guard let code = FormEncoding.firstValues(String(location.split(separator: "?").last ?? ""))["code"] else {
            throw Failure(step: "consent", status: answer.status, body: "no code in \(location)")
        }
        let tokens = try await send(
            "exchange the code", "POST", "/oauth/token", expecting: 200,
            headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: FormEncoding.encode([
                ("grant_type", "authorization_code"), ("code", code), ("client_id", clientID),
                ("redirect_uri", redirect), ("code_verifier", verifier), ("resource", resource),
            ]))
        return try decode(Tokens.self, from: tokens, step: "exchange the code").accessToken
    }

    private func send(
        _ step: String, _ method: String, _ path: String, expecting status: Int, headers: HTTPHeaders,
        body: String? = nil
    ) async throws -> HTTPResponse {
        let request = HTTPRequest(
            method: method, url: gateway + path, headers: headers, body: body.map { .bytes(Array($0.utf8)) } ?? .empty)
        let response = try await httpClient.execute(request)
        guard response.status == status else {
            throw Failure(step: step, status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
        return response
    }

    private struct Registration: Decodable { var clientId: String }
    private struct Tokens: Decodable { var accessToken: String }

    /// The answer's body as `type`: OAuth's snake_case fields and the API's camelCase ones
    /// alike, dates in ISO 8601.
    private func decode<Answer: Decodable>(
        _ type: Answer.Type, from response: HTTPResponse, step: String
    ) throws
        -> Answer
    {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: Data(response.body))
        } catch {
            throw Failure(step: step, status: response.status, body: "an answer of another shape: \(error)")
        }
    }

    private static func cookie(_ name: String, in response: HTTPResponse) -> String? {
        for header in response.headers.values(named: "Set-Cookie") {
            let pair = header.split(separator: ";").first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name { return String(parts[1]) }
        }
        return nil
    }
}
