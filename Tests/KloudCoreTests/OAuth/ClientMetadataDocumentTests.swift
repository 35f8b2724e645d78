import Foundation
import KloudTestSupport
import Synchronization
import Testing

@testable import KloudCore

// MARK: - Fetching

@Suite("Client ID Metadata Documents: fetching")
struct ClientMetadataDocumentFetchTests {
    @Test func fetchesAndParsesAValidDocument() async throws {
        let server = try documentServer(
            members: """
                "client_name": "Example MCP client",
                "redirect_uris": ["http://127.0.0.1:33418/callback", "https://app.example.com/oauth/callback"],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "none",
                "client_uri": "https://app.example.com/",
                "logo_uri": "https://app.example.com/logo.png",
                "software_id": "example"
                """)
        let clock = TestClock()
        let fetcher = ClientMetadataDocumentFetcher(
            httpClient: HTTPClient(), policy: .allowingLoopbackHTTP, now: clock.now)
        let clientID = "\(server.url)/clients/example.json"

        let fetched = try await fetcher.document(for: clientID)

        let document = fetched.document
        #expect(document.clientID == clientID)
        #expect(document.clientName == "Example MCP client")
        #expect(document.redirectURIs == ["http://127.0.0.1:33418/callback", "https://app.example.com/oauth/callback"])
        #expect(document.grantTypes == ["authorization_code", "refresh_token"])
        #expect(document.responseTypes == ["code"])
        #expect(document.tokenEndpointAuthMethod == "none")
        #expect(document.clientURI == "https://app.example.com/")
        #expect(document.logoURI == "https://app.example.com/logo.png")
        #expect(document.documentJSON.hasPrefix(#"{"client_id":"\#(clientID)","client_name":"Example MCP client","#))
        #expect(document.documentJSON.contains(#""software_id":"example""#))
        #expect(fetched.expiresAt == clock.start.addingTimeInterval(300))
        #expect(server.requests.map(\.path) == ["/clients/example.json"])
        #expect(server.requests.first?.headers["accept"] == "application/json")
    }

    @Test func resolvesAHostNameAndConnectsOnlyToItsVettedAddresses() async throws {
        let server = try documentServer()
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .allowingLoopbackHTTP)
        let clientID = "http://localhost:\(server.port)/client.json"

        let fetched = try await fetcher.document(for: clientID)

        #expect(fetched.document.clientID == clientID)
        #expect(server.requests.count == 1)
    }

    @Test func defaultsTheOptionalMembers() async throws {
        let server = try documentServer()
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .allowingLoopbackHTTP)

        let document = try await fetcher.document(for: "\(server.url)/client.json").document

        #expect(document.clientName == "")
        #expect(document.grantTypes == ["authorization_code"])
        #expect(document.responseTypes == ["code"])
        #expect(document.tokenEndpointAuthMethod == "none")
        #expect(document.clientURI == nil)
        #expect(document.logoURI == nil)
    }

    @Test func refusesAClientIDThatDiffersByATrailingSlash() async throws {
        let server = try documentServer(clientIDSuffix: "/")

        let error = await fetchError(server, "/client.json")

        #expect(error?.invalidField == "client_id")
    }

    @Test(arguments: ["", #""redirect_uris": [],"#, #""redirect_uris": "https://a.example/cb","#])
    func refusesADocumentWithoutRedirectURIs(members: String) async throws {
        let server = try documentServer(members: members + #""client_name": "No redirects""#)

        let error = await fetchError(server, "/client.json")

        #expect(error?.invalidField == "redirect_uris")
    }

    @Test func refusesAClientThatAuthenticatesWithASecret() async throws {
        let server = try documentServer(
            members: validMembers + #", "token_endpoint_auth_method": "client_secret_basic""#)

        let error = await fetchError(server, "/client.json")

        #expect(error?.invalidField == "token_endpoint_auth_method")
    }

    @Test func refusesADocumentThatCarriesASecret() async throws {
        let server = try documentServer(members: validMembers + #", "client_secret": "s3cr3t""#)

        let error = await fetchError(server, "/client.json")

        #expect(error?.invalidField == "client_secret")
    }

    @Test func refusesAnOversizedBody() async throws {
        let padding = String(repeating: "x", count: 6000)
        let server = try documentServer(members: validMembers + #", "padding": "\#(padding)""#)

        let error = await fetchError(server, "/client.json")

        #expect(error == .tooLarge)
    }

    @Test func refusesAnOversizedChunkedBody() async throws {
        let chunk = String(repeating: " ", count: 64 * 1024)
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        let body = String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n0\r\n\r\n"
        let server = try LoopbackHTTPServer(replies: [.raw(Array((head + body).utf8))])

        let error = await fetchError(server, "/client.json")

        #expect(error == .tooLarge)
    }

    @Test func doesNotFollowARedirect() async throws {
        let server = try LoopbackHTTPServer { request in
            request.path == "/moved.json"
                ? .response(status: 302, headers: [("Location", "/client.json")])
                : .response(
                    status: 200, headers: [("Content-Type", "application/json")],
                    body: Array(documentText(clientID: "http://\(request.headers["host"] ?? "")/client.json").utf8))
        }

        let error = await fetchError(server, "/moved.json")

        #expect(error?.code == "fetch_failed")
        #expect(server.requests.map(\.path) == ["/moved.json"])
    }

    @Test func refusesAResponseThatIsNotJSON() async throws {
        let server = try documentServer(headers: [("Content-Type", "text/html; charset=utf-8")])

        let error = await fetchError(server, "/client.json")

        #expect(error?.code == "fetch_failed")
    }

    @Test func acceptsAJSONContentTypeWithParameters() async throws {
        let server = try documentServer(headers: [("Content-Type", "Application/JSON; charset=utf-8")])
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .allowingLoopbackHTTP)

        let fetched = try await fetcher.document(for: "\(server.url)/client.json")

        #expect(fetched.document.redirectURIs == ["http://127.0.0.1:33418/callback"])
    }

    @Test func refusesAStatusOtherThan200() async throws {
        let server = try documentServer(status: 404)

        let error = await fetchError(server, "/client.json")

        #expect(error == .fetchFailed(reason: "the URL answered with HTTP status 404"))
    }

    @Test func refusesABodyThatIsNotAJSONObject() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .response(status: 200, headers: [("Content-Type", "application/json")], body: Array("[1, 2]".utf8))
        ])

        let error = await fetchError(server, "/client.json")

        #expect(error?.invalidField == "document")
    }
}

// MARK: - Caching

@Suite("Client ID Metadata Documents: caching")
struct ClientMetadataDocumentCachingTests {
    @Test func servesAFreshDocumentFromTheCache() async throws {
        let server = try documentServer(headers: jsonHeaders + [("Cache-Control", "public, max-age=60")])
        let clock = TestClock()
        let fetcher = ClientMetadataDocumentFetcher(
            httpClient: HTTPClient(), policy: .allowingLoopbackHTTP, now: clock.now)
        let clientID = "\(server.url)/client.json"

        let first = try await fetcher.document(for: clientID)
        clock.advance(by: 59)
        let second = try await fetcher.document(for: clientID)

        #expect(first == second)
        #expect(first.expiresAt == clock.start.addingTimeInterval(60))
        #expect(server.requests.count == 1)
    }

    @Test func fetchesAgainOnceTheDocumentExpires() async throws {
        let server = try documentServer(headers: jsonHeaders + [("Cache-Control", "max-age=60")])
        let clock = TestClock()
        let fetcher = ClientMetadataDocumentFetcher(
            httpClient: HTTPClient(), policy: .allowingLoopbackHTTP, now: clock.now)
        let clientID = "\(server.url)/client.json"

        _ = try await fetcher.document(for: clientID)
        clock.advance(by: 60)
        _ = try await fetcher.document(for: clientID)

        #expect(server.requests.count == 2)
    }

    @Test func fetchesAgainWhenTheResponseSaysNoStore() async throws {
        let server = try documentServer(headers: jsonHeaders + [("Cache-Control", "no-store")])
        let clock = TestClock()
        let fetcher = ClientMetadataDocumentFetcher(
            httpClient: HTTPClient(), policy: .allowingLoopbackHTTP, now: clock.now)
        let clientID = "\(server.url)/client.json"

        let first = try await fetcher.document(for: clientID)
        _ = try await fetcher.document(for: clientID)

        #expect(first.expiresAt == clock.start)
        #expect(server.requests.count == 2)
    }

    @Test func doesNotCacheAFailure() async throws {
        // The script only says which attempt this is: the first fails, the later ones succeed.
        let attempts = ReplyScript([.response(status: 503), .response(status: 200)])
        let server = try LoopbackHTTPServer { request in
            guard case .response(200, _, _) = attempts.next() else { return .response(status: 503) }
            return .response(
                status: 200, headers: jsonHeaders,
                body: Array(documentText(clientID: "http://\(request.headers["host"] ?? "")\(request.target)").utf8))
        }
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .allowingLoopbackHTTP)
        let clientID = "\(server.url)/client.json"

        await #expect(throws: ClientMetadataError.self) { try await fetcher.document(for: clientID) }
        let fetched = try await fetcher.document(for: clientID)

        #expect(fetched.document.clientID == clientID)
        #expect(server.requests.count == 2)
    }

    @Test(
        arguments: [
            (["Cache-Control": "max-age=60"], 60.0),
            (["Cache-Control": "max-age=60, s-maxage=30"], 30),
            (["Cache-Control": "max-age=\"90\""], 90),
            (["Cache-Control": "max-age=600, no-cache"], 0),
            (["Cache-Control": "no-store"], 0),
            (["Cache-Control": "max-age=999999"], 86_400),
            (["Cache-Control": "max-age=99999999999999999999999"], 86_400),
            (["Cache-Control": "max-age=600", "Age": "100"], 500),
            (["Date": "Wed, 21 Oct 2015 07:28:00 GMT", "Expires": "Wed, 21 Oct 2015 07:30:00 GMT"], 120),
            (["Expires": "0"], 0),
            (["Cache-Control": "public", "Expires": "Wed, 21 Oct 2015 07:30:00 GMT"], 0),
            ([:], 300),
        ] as [([String: String], Double)])
    func readsTheCacheLifetimeFromTheHeaders(headers: [String: String], seconds: Double) {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let fields = HTTPHeaders(headers.map { HTTPHeaders.Field(name: $0.key, value: $0.value) })

        let expiry = ClientMetadataCache.expiry(
            of: fields, receivedAt: now, defaultLifetime: .seconds(300), maximumLifetime: .seconds(86_400))

        #expect(expiry == now.addingTimeInterval(seconds))
    }

    @Test func keepsAtMostItsCapacityDroppingWhatExpiresSoonest() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let document = try ClientMetadataDocument(
            parsing: Array(documentText(clientID: "https://a.example/c").utf8), fetchedFrom: "https://a.example/c")
        var cache = ClientMetadataCache(capacity: 2)

        for (clientID, lifetime) in [("a", 100.0), ("b", 50), ("c", 200)] {
            cache.store(
                FetchedClientMetadata(document: document, expiresAt: now.addingTimeInterval(lifetime)), for: clientID,
                at: now)
        }

        #expect(cache.count == 2)
        #expect(cache.entry(for: "b", at: now) == nil)
        #expect(cache.entry(for: "a", at: now) != nil)
        #expect(cache.entry(for: "c", at: now) != nil)
    }
}

// MARK: - Internet policy

@Suite("Client ID Metadata Documents: the internet policy")
struct ClientMetadataDocumentInternetPolicyTests {
    @Test(arguments: [
        "https://127.0.0.1:PORT/x", "https://localhost:PORT/x", "https://[::1]:PORT/a",
        "https://[::ffff:127.0.0.1]:PORT/a", "https://169.254.169.254/latest", "https://10.0.0.1/a",
        "https://[fd00:ec2::254]/latest", "https://100.64.0.1/a", "https://0.0.0.0:PORT/a",
    ])
    func refusesAForbiddenAddressWithoutConnecting(template: String) async throws {
        let server = try documentServer()
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .internet)
        let clientID = template.replacing("PORT", with: "\(server.port)")

        let error = await #expect(throws: ClientMetadataError.self) { try await fetcher.document(for: clientID) }

        #expect(error == .forbiddenAddress)
        #expect(server.acceptedConnections == 0)
    }

    @Test func refusesPlainHTTP() async throws {
        let server = try documentServer()
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .internet)

        let error = await #expect(throws: ClientMetadataError.self) {
            try await fetcher.document(for: "\(server.url)/client.json")
        }

        #expect(error?.code == "invalid_client_id")
        #expect(server.acceptedConnections == 0)
    }

    @Test func theLoopbackPolicyStillRefusesPrivateAddresses() async throws {
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .allowingLoopbackHTTP)

        let error = await #expect(throws: ClientMetadataError.self) {
            try await fetcher.document(for: "http://192.168.1.1/client.json")
        }

        #expect(error == .forbiddenAddress)
    }
}

// MARK: - Document rules

@Suite("Client ID Metadata Documents: document rules")
struct ClientMetadataDocumentRuleTests {
    static let clientID = "https://client.example/metadata.json"

    @Test(arguments: [
        "https://app.example/cb", "https://app.example:8443/cb?x=1", "http://127.0.0.1/cb", "http://127.0.0.1:51000/cb",
        "http://[::1]:51000/cb", "http://localhost:8080/callback",
    ])
    func acceptsARedirectURI(uri: String) throws {
        let document = try parse(#""redirect_uris": ["\#(uri)"]"#)

        #expect(document.redirectURIs == [uri])
    }

    @Test(arguments: [
        "http://app.example/cb", "http://127.0.0.2/cb", "https://app.example/cb#x", "https://u@app.example/cb",
        "com.example.app:/cb", "javascript:alert(1)", "/relative", "https://app .example/cb", "",
    ])
    func refusesARedirectURI(uri: String) {
        let error = #expect(throws: ClientMetadataError.self) { try parse(#""redirect_uris": ["\#(uri)"]"#) }

        #expect(error?.invalidField == "redirect_uris")
    }

    @Test func refusesMoreThanTwentyRedirectURIs() {
        let uris = (0...20).map { #""https://app.example/cb\#($0)""# }.joined(separator: ",")

        let error = #expect(throws: ClientMetadataError.self) { try parse(#""redirect_uris": [\#(uris)]"#) }

        #expect(error?.invalidField == "redirect_uris")
    }

    @Test(arguments: [
        (#""grant_types": ["client_credentials"]"#, "grant_types"),
        (#""grant_types": ["authorization_code", "implicit"]"#, "grant_types"),
        (#""grant_types": []"#, "grant_types"),
        (#""response_types": ["token"]"#, "response_types"),
        (#""token_endpoint_auth_method": "private_key_jwt""#, "token_endpoint_auth_method"),
        (#""token_endpoint_auth_method": "client_secret_post""#, "token_endpoint_auth_method"),
        (#""client_secret_expires_at": 0"#, "client_secret_expires_at"),
        (#""client_name": 42"#, "client_name"),
        (#""client_name": "Evil\u202Eelgoog""#, "client_name"),
        (#""client_name": "line\nbreak""#, "client_name"),
        (#""client_name": "\#(String(repeating: "n", count: 201))""#, "client_name"),
        (#""logo_uri": "javascript:alert(1)""#, "logo_uri"),
        (#""client_uri": "http://app.example/""#, "client_uri"),
    ])
    func refusesABadMember(member: String, field: String) {
        let error = #expect(throws: ClientMetadataError.self) {
            try parse(#""redirect_uris": ["https://app.example/cb"], \#(member)"#)
        }

        #expect(error?.invalidField == field)
    }

    @Test func comparesTheClientIDByteForByte() {
        // "é" precomposed in the URL, decomposed in the document: equal as Swift Strings, not as bytes.
        let url = "https://client.example/caf\u{E9}.json"
        let text =
            #"{"client_id": "https://client.example/cafe\u0301.json", "redirect_uris": ["https://a.example/cb"]}"#

        let error = #expect(throws: ClientMetadataError.self) {
            try ClientMetadataDocument(parsing: Array(text.utf8), fetchedFrom: url)
        }

        #expect(error?.invalidField == "client_id")
    }

    private func parse(_ members: String) throws(ClientMetadataError) -> ClientMetadataDocument {
        try ClientMetadataDocument(
            parsing: Array(documentText(clientID: Self.clientID, members: members).utf8), fetchedFrom: Self.clientID)
    }
}

// MARK: - Helpers

private let validMembers = #""redirect_uris": ["http://127.0.0.1:33418/callback"]"#
private let jsonHeaders = [("Content-Type", "application/json")]

private func documentText(clientID: String, members: String = validMembers) -> String {
    #"{"client_id": "\#(clientID)", \#(members)}"#
}

/// A loopback server that answers every request with a document whose `client_id` is the URL
/// that was asked for (plus `clientIDSuffix`).
private func documentServer(
    members: String = validMembers, status: Int = 200, headers: [(String, String)] = jsonHeaders,
    clientIDSuffix: String = ""
) throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { request in
        let clientID = "http://\(request.headers["host"] ?? "")\(request.target)\(clientIDSuffix)"
        return .response(
            status: status, headers: headers, body: Array(documentText(clientID: clientID, members: members).utf8))
    }
}

/// The error of fetching `path` from `server` under the loopback policy, or nil if it succeeded.
private func fetchError(_ server: LoopbackHTTPServer, _ path: String) async -> ClientMetadataError? {
    let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .allowingLoopbackHTTP)
    do {
        _ = try await fetcher.document(for: "\(server.url)\(path)")
        return nil
    } catch {
        return error
    }
}

extension ClientMetadataError {
    /// The member an `invalidDocument` error names.
    fileprivate var invalidField: String? {
        if case .invalidDocument(let field, _) = self { return field }
        return nil
    }
}
