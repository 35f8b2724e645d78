import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// Every route of every manifest, called with every kind of credential a person or a client
/// would send, answers as its manifest's `credentials` says: what the route takes gets through
/// (to a 2xx or a 4xx about the request, never 401 or 403), what it does not take is refused
/// with a 401 that names what it takes, and nothing is ever a 5xx. A new route is covered as
/// soon as its manifest lists it. A signed-in person reaching scan and deploy (the worker role)
/// got 503 before, which no test with API keys alone could see.
@Suite(.serialized) struct RouteCredentialTests {
    /// What a caller presents.
    enum Presented: String, CaseIterable {
        case nothing, sessionBearer, sessionCookie, apiKey, accessToken, unknownKey, malformedBearer

        /// The kind of credential it is, when it is a valid one.
        var kind: CredentialKind? {
            switch self {
            case .sessionBearer, .sessionCookie: .session
            case .apiKey: .apiKey
            case .accessToken: .oauthAccessToken
            case .nothing, .unknownKey, .malformedBearer: nil
            }
        }
    }

    /// One person's credentials of every kind, each allowed to read and write.
    struct Credentials {
        let session: String
        let apiKey: String
        let accessToken: String

        func headers(_ presented: Presented) -> [String: String] {
            switch presented {
            case .nothing: [:]
            case .sessionBearer: ["Authorization": "Bearer \(session)"]
            case .sessionCookie: ["Cookie": "__session=\(session)"]
            case .apiKey: ["Authorization": "Bearer \(apiKey)"]
            case .accessToken: ["Authorization": "Bearer \(accessToken)"]
            case .unknownKey: ["Authorization": "Bearer \(SecretToken.generate(.apiKey).raw)"]
            case .malformedBearer: ["Authorization": "Bearer not-a-credential"]
            }
        }
    }

    /// A person connected through the real flows: signed in, with an API key, and with an OAuth
    /// access token from the authorization server (consent, code, PKCE exchange).
    static func credentials(_ stack: FunctionStack.Running) async throws -> Credentials {
        let flow = try ConnectorFlow(stack: stack)
        let (_, tokens) = try await flow.connect(scope: "kloudhub:read kloudhub:write")
        let accessToken = try #require(tokens["access_token"] as? String)
        let account = try await flow.gateway.send("GET", "/v1/account", headers: flow.sessionBearer).object()
        let accountID = try #require((account["id"] as? String).flatMap(UUID.init(uuidString:)))
        let apiKey = try APIKeyService(database: stack.database.client(as: .api)).create(
            account: accountID, name: "routes", scopes: [.read, .write], expiresAt: nil
        ).key
        return Credentials(session: flow.session, apiKey: apiKey, accessToken: accessToken)
    }

    /// The request a route is called with: its path with a random id, and for a method with a
    /// body an empty JSON object (a request a route must refuse as incomplete, never act on).
    static func request(for route: Route) -> (method: String, path: String, body: String?) {
        let path = Self.path(of: route).replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
            .replacingOccurrences(of: "{proxy+}", with: "x")
        let method = route.method == nil || route.method == "ANY" ? "GET" : route.method!
        return (method, path, ["POST", "PUT", "PATCH", "DELETE"].contains(method) ? "{}" : nil)
    }

    @Test func everyRouteAnswersEachCredentialAsItsManifestSays() async throws {
        let stack = try await FunctionStack.shared.running()
        let credentials = try await Self.credentials(stack)
        let gateway = Gateway(base: stack.gateway)
        for manifest in await stack.emulator.manifests {
            for route in manifest.routes {
                let takes = try #require(manifest.credentials[route.key], "\(route.key) says what it takes")
                for presented in Presented.allCases {
                    let (method, path, body) = Self.request(for: route)
                    var headers = credentials.headers(presented)
                    if body != nil { headers["Content-Type"] = "application/json" }
                    let answer = try await gateway.send(method, path, headers: headers, body: body)
                    let what = "\(route.key) with \(presented.rawValue): \(answer.status) \(answer.text.prefix(300))"
                    #expect(answer.status < 500, "\(what)")
                    Self.expect(answer, from: route, taking: takes, with: presented, what)
                }
            }
        }
    }

    /// What the manifest's `credentials` promise for one call.
    static func expect(
        _ answer: HTTPResponse, from route: Route, taking takes: Set<CredentialKind>, with presented: Presented,
        _ what: String
    ) {
        let error = (try? answer.object())?["error_description"] as? String ?? ""
        if takes == [.none] {
            #expect(![401, 403].contains(answer.status), "an open route: \(what)")
            return
        }
        guard takes.contains(where: \.provesAPerson), !Self.isBrowserPage(route) else { return }
        guard let kind = presented.kind else {
            #expect(answer.status == 401, "no valid credential: \(what)")
            return
        }
        if takes.contains(kind) {
            #expect(![401, 403].contains(answer.status), "a credential the route takes: \(what)")
        } else {
            #expect(answer.status == 401, "a credential the route does not take: \(what)")
            #expect(error.contains("this endpoint takes"), "the refusal names what it takes: \(what)")
            #expect(!error.contains("unknown, expired or revoked"), "\(what)")
        }
    }

    /// The authorization endpoint is a page for a browser: without a session it sends the person
    /// to sign in (a redirect), never a 401.
    static func isBrowserPage(_ route: Route) -> Bool {
        ["/oauth/authorize", "/authorize"].contains(path(of: route))
    }

    /// The path of a route key (`GET /v1/klouds/{id}`).
    static func path(of route: Route) -> String {
        String(route.key.split(separator: " ", maxSplits: 1).last ?? "/")
    }

    // MARK: - Malformed input

    /// Malformed requests, as a careless or hostile client sends them.
    static let malformedBodies = [
        "{", "[]", "null", "\"a string\"", #"{"name": 5, "files": "x", "regions": {}, "scopes": 7}"#,
        #"{"name": "\#(String(repeating: "x", count: 300_000))"}"#, "{\"a\": \"\u{0000}\"}",
    ]
    static let malformedIDs = ["not-a-uuid", "..%2F..%2Fetc", String(repeating: "9", count: 300), "%00"]
    static let malformedQueries = [
        "limit=-1&cursor=%25%25%25", "limit=abc&region=%27%20or%201%3D1%20--", "min_monthly_cost=1e999",
    ]

    /// Every route that takes a person, called by a signed-in person and with an API key with
    /// malformed bodies, ids and queries: each is refused with a 4xx that explains itself, never
    /// a 5xx, and nothing internal (SQL, a Swift error) ever reaches the caller.
    @Test func malformedInputGetsA4xxThatRevealsNothing() async throws {
        let stack = try await FunctionStack.shared.running()
        let credentials = try await Self.credentials(stack)
        let gateway = Gateway(base: stack.gateway)
        for manifest in await stack.emulator.manifests {
            for route in manifest.routes {
                let takes = manifest.credentials[route.key] ?? []
                guard takes.contains(where: \.provesAPerson), !Self.isBrowserPage(route) else { continue }
                for presented in [Presented.sessionBearer, .apiKey] where takes.contains(presented.kind!) {
                    for (method, path, body) in Self.malformedRequests(for: route) {
                        var headers = credentials.headers(presented)
                        if body != nil { headers["Content-Type"] = "application/json" }
                        let answer = try await gateway.send(method, path, headers: headers, body: body)
                        let what =
                            "\(method) \(path.prefix(80)) \(body?.prefix(40) ?? "") as \(presented.rawValue): "
                            + "\(answer.status) \(answer.text.prefix(200))"
                        #expect(answer.status < 500, "\(what)")
                        for leak in ["SQL", "syntax error", "PostgresError", "relation ", "Swift", "Fatal", ".swift:"] {
                            #expect(!answer.text.contains(leak), "leaks '\(leak)': \(what)")
                        }
                    }
                }
            }
        }
    }

    /// The route with each malformed body (when it takes one), id (when it has one) and query.
    static func malformedRequests(for route: Route) -> [(String, String, String?)] {
        let (method, path, body) = request(for: route)
        var requests: [(String, String, String?)] = []
        if body != nil { requests += malformedBodies.map { (method, path, $0) } }
        if Self.path(of: route).contains("{id}") {
            requests += malformedIDs.map { id in
                (method, Self.path(of: route).replacingOccurrences(of: "{id}", with: id), body)
            }
        }
        if method == "GET" { requests += malformedQueries.map { (method, path + "?" + $0, nil) } }
        return requests
    }
}
