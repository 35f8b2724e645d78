import Foundation
import KloudCore
import KloudTestSupport
import Testing

@Suite struct ClerkSessionVerifierTests {
    let tokens: TestSessionTokens
    let verifier: ClerkSessionVerifier

    init() throws {
        tokens = try TestSessionTokens()
        verifier = try ClerkSessionVerifier(configuration: tokens.configuration())
    }

    @Test func acceptsAValidSessionTokenAndReadsItsClaims() async throws {
        let session = try await verifier.verify(try tokens.token())
        #expect(session.userID == "user_test123")
        #expect(session.sessionID == "sess_abc")
        #expect(session.email == "ada@example.com")
        #expect(session.name == "Ada Lovelace")
    }

    @Test func refusesAlgorithmNone() async throws {
        let unsigned =
            try TestSessionTokens.part(["alg": "none", "typ": "JWT"]) + "."
            + TestSessionTokens.part(tokens.claims()) + "."
        await #expect(throws: SessionTokenError.unsupportedAlgorithm("none")) { try await verifier.verify(unsigned) }
    }

    @Test func refusesHMACSignedWithThePublicKey() async throws {
        await #expect(throws: SessionTokenError.unsupportedAlgorithm("HS256")) {
            try await verifier.verify(try tokens.hmacConfusionToken())
        }
    }

    @Test func refusesATokenSignedByAnotherKey() async throws {
        let stranger = try TestSessionTokens()
        await #expect(throws: SessionTokenError.badSignature) { try await verifier.verify(try stranger.token()) }
    }

    @Test func refusesATamperedClaimSet() async throws {
        let parts = try tokens.token().split(separator: ".").map(String.init)
        var claims = tokens.claims()
        claims["sub"] = "user_someone_else"
        let forged = [parts[0], try TestSessionTokens.part(claims), parts[2]].joined(separator: ".")
        await #expect(throws: SessionTokenError.badSignature) { try await verifier.verify(forged) }
    }

    @Test func refusesExpiredTokensBeyondTheSkewAndAcceptsWithinIt() async throws {
        let expired = tokens.claims(now: Date().addingTimeInterval(-120), lifetime: 60)
        await #expect(throws: SessionTokenError.expired) {
            try await verifier.verify(try tokens.token(claims: expired))
        }
        let justExpired = tokens.claims(now: Date().addingTimeInterval(-62), lifetime: 60)
        _ = try await verifier.verify(try tokens.token(claims: justExpired))
    }

    @Test func refusesATokenNotYetValid() async throws {
        var claims = tokens.claims()
        claims["nbf"] = Int(Date().timeIntervalSince1970) + 120
        await #expect(throws: SessionTokenError.notYetValid) {
            try await verifier.verify(try tokens.token(claims: claims))
        }
    }

    @Test(arguments: [
        ("iss", "https://evil.example", SessionTokenError.wrongIssuer("https://evil.example")),
        ("azp", "https://evil.example", SessionTokenError.unauthorizedParty("https://evil.example")),
    ])
    func refusesWrongIssuerOrParty(claim: String, value: String, expected: SessionTokenError) async throws {
        var claims = tokens.claims()
        claims[claim] = value
        await #expect(throws: expected) { try await verifier.verify(try tokens.token(claims: claims)) }
    }

    @Test(arguments: ["exp", "azp", "sub", "iss"])
    func refusesATokenMissingARequiredClaim(claim: String) async throws {
        var claims = tokens.claims()
        claims.removeValue(forKey: claim)
        await #expect(throws: SessionTokenError.self) { try await verifier.verify(try tokens.token(claims: claims)) }
    }

    @Test(arguments: ["", "a.b", "a.b.c", "eyJ.eyJ.x", String(repeating: "A", count: 9000)])
    func refusesMalformedTokens(text: String) async throws {
        await #expect(throws: SessionTokenError.self) { try await verifier.verify(text) }
    }

    @Test func verifiesByKeyIDFromAJWKSAndRefusesUnknownKeys() async throws {
        let other = try TestSessionTokens(keyID: "test-key-2")
        let body = try JSONSerialization.data(withJSONObject: ["keys": [tokens.jwk, other.jwk]])
        let server = try LoopbackHTTPServer { _ in
            .response(status: 200, headers: [("Content-Type", "application/json")], body: Array(body))
        }
        let jwksVerifier = try ClerkSessionVerifier(
            configuration: tokens.configuration(source: .jwks(url: server.url + "/.well-known/jwks.json")),
            httpClient: HTTPClient())
        #expect(try await jwksVerifier.verify(try tokens.token()).userID == "user_test123")
        #expect(try await jwksVerifier.verify(try other.token()).userID == "user_test123")
        let unknown = try tokens.token(header: ["alg": "RS256", "kid": "nobody", "typ": "JWT"])
        await #expect(throws: SessionTokenError.unknownKey("nobody")) { try await jwksVerifier.verify(unknown) }
        let stranger = try TestSessionTokens(keyID: "test-key-1")
        await #expect(throws: SessionTokenError.badSignature) { try await jwksVerifier.verify(try stranger.token()) }
        #expect(
            server.requests.count == 1, "the key set is fetched once, and an unknown kid soon after does not refetch")
    }

    @Test func refusesAKeyThatIsNotPEM() {
        #expect(throws: ConfigurationError.self) {
            try ClerkSessionVerifier(
                configuration: ClerkConfiguration(
                    issuer: TestSessionTokens.issuer, keySource: .publicKeyPEM("not a key"), authorizedParties: ["x"]))
        }
    }
}
