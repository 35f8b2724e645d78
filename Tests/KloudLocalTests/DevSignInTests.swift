import Crypto
import Foundation
import KloudCore
import Testing
import _CryptoExtras

@testable import KloudLocal

/// The emulator's development sign-in, standing in for Clerk: its pages over HTTP, the tokens
/// it signs, and what the functions are told about it.
@Suite("Development sign-in")
struct DevSignInTests {
    private static let sessionVariables = [
        "KLOUDHUB_PUBLIC_URL", "KLOUDHUB_CLERK_JWT_KEY", "KLOUDHUB_CLERK_ISSUER", "KLOUDHUB_CLERK_AUTHORIZED_PARTIES",
        "KLOUDHUB_CLERK_SIGN_IN_URL", "KLOUDHUB_CLERK_WEBHOOK_SECRET",
    ]

    // MARK: - The form

    @Test func formPageHasItsSecurityHeadersAndEscapesTheRedirect() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let hostile = #"/after?x="><script>alert(1)</script>"#
        let query = try #require(hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics))

        let page = try await HTTPExchange.send("GET", local.endpoints.gateway("/dev/sign-in?redirect_url=\(query)"))

        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["cache-control"] == "no-store")
        #expect(
            page.headers["content-security-policy"]
                == "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
        #expect(page.headers["x-frame-options"] == "DENY")
        #expect(page.text.contains(#"value="/after?x=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#))
        #expect(!page.text.contains("<script>"))
        #expect(page.text.contains(#"name="email""#) && page.text.contains(#"name="name""#))
        #expect(page.text.contains("development sign-in") && page.text.contains("Clerk"))
    }

    @Test func signingInRedirectsWithTheSessionCookie() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }

        let answer = try await HTTPExchange.curl(
            local.endpoints.gateway("/dev/sign-in"),
            form: ["name": "Ada Lovelace", "email": " Ada@Example.com ", "redirect_url": "/probe/echo?from=sign-in"])

        #expect(answer.status == 303)
        #expect(answer.headers["location"] == "/probe/echo?from=sign-in")
        let cookie = try #require(answer.headers["set-cookie"])
        let token = try #require(cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
        #expect(cookie == "__session=\(token); Path=/; HttpOnly; SameSite=Lax; Max-Age=28800")
        let claims = try Self.claims(of: String(token))
        #expect(claims["email"] as? String == "ada@example.com")
        #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 28800)
        let done = try await HTTPExchange.curl(
            local.endpoints.gateway("/dev/sign-in/done"), headers: ["Cookie": "__session=\(token)"])
        #expect(done.text.contains("Signed in as Ada Lovelace &lt;ada@example.com&gt;"))
    }

    @Test func signingInWithoutRedirectEndsOnTheSignedInPage() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let origin = local.endpoints.gateway.absoluteString

        let missing = try await HTTPExchange.curl(
            local.endpoints.gateway("/dev/sign-in"), form: ["name": "Ada", "email": "ada@example.com"])
        let absolute = try await HTTPExchange.curl(
            local.endpoints.gateway("/dev/sign-in"),
            form: ["name": "Ada", "email": "ada@example.com", "redirect_url": origin + "/items/1"])

        #expect(missing.status == 303 && missing.headers["location"] == "/dev/sign-in/done")
        #expect(absolute.status == 303 && absolute.headers["location"] == origin + "/items/1")
    }

    @Test func foreignRedirectIsRefused() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let foreign = [
            "https://evil.example/", "//evil.example/", #"/\evil.example"#, "javascript:alert(1)",
            "http://127.0.0.1:1/", "http://evil.example@127.0.0.1/",
        ]
        for target in foreign {
            let answer = try await HTTPExchange.curl(
                local.endpoints.gateway("/dev/sign-in"),
                form: ["name": "Ada", "email": "ada@example.com", "redirect_url": target])
            #expect(answer.status == 400, "\(target)")
            #expect(answer.headers["set-cookie"] == nil, "\(target)")
            #expect(answer.headers["location"] == nil, "\(target)")
        }
    }

    @Test func badFormInputIsRefusedWithoutACookie() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let forms = [
            ["name": "<b>Ada</b>", "email": "not-an-address"],
            ["name": "   ", "email": "ada@example.com"],
            ["name": String(repeating: "a", count: 201), "email": "ada@example.com"],
            ["name": "Ada", "email": "ada@localhost"],
        ]
        for form in forms {
            let answer = try await HTTPExchange.curl(local.endpoints.gateway("/dev/sign-in"), form: form)
            #expect(answer.status == 400, "\(form)")
            #expect(answer.headers["set-cookie"] == nil, "\(form)")
            #expect(answer.headers["content-type"] == "text/html; charset=utf-8")
            #expect(!answer.text.contains("<b>Ada</b>"))
        }
        let echoed = try await HTTPExchange.curl(
            local.endpoints.gateway("/dev/sign-in"), form: ["name": "<b>Ada</b>", "email": "not-an-address"])
        #expect(echoed.text.contains(#"value="&lt;b&gt;Ada&lt;/b&gt;""#))
        #expect(echoed.text.contains("Enter an email address"))
    }

    @Test func crossSitePostIsRefused() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let form = ["name": "Ada", "email": "ada@example.com"]

        let crossSite = try await HTTPExchange.curl(
            local.endpoints.gateway("/dev/sign-in"), form: form, headers: ["Origin": "https://evil.example"])
        let sameSite = try await HTTPExchange.curl(
            local.endpoints.gateway("/dev/sign-in"), form: form,
            headers: ["Origin": local.endpoints.gateway.absoluteString])

        #expect(crossSite.status == 403)
        #expect(crossSite.headers["set-cookie"] == nil)
        #expect(sameSite.status == 303)
    }

    @Test func signingOutClearsTheCookie() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }

        let answer = try await HTTPExchange.curl(local.endpoints.gateway("/dev/sign-out"), form: [:])

        #expect(answer.status == 303)
        #expect(answer.headers["location"] == "/dev/sign-in")
        #expect(answer.headers["set-cookie"] == "__session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }

    // MARK: - Tokens and what the functions get

    @Test func sessionTokenVerifiesWithThePublicKeyGivenToFunctions() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let origin = local.endpoints.gateway.absoluteString
        let signIn = try #require(await local.emulator.developmentSignIn)
        let environment = try await local.invokeObject(Self.environmentEvent)
        let issuedAt = Date(timeIntervalSince1970: 1_800_000_000)

        let token = try signIn.sessionToken(
            name: "Grace Hopper", email: "grace@example.com", lifetime: .seconds(600), now: issuedAt)

        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let publicKey = try _RSA.Signing.PublicKey(
            pemRepresentation: try #require(environment["KLOUDHUB_CLERK_JWT_KEY"] as? String))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try Self.base64URLDecoded(parts[2]))
        #expect(
            publicKey.isValidSignature(
                signature, for: Data("\(parts[0]).\(parts[1])".utf8), padding: .insecurePKCS1v1_5))
        let header = try JSONSerialization.jsonObject(with: Self.base64URLDecoded(parts[0])) as? [String: String]
        #expect(header == ["alg": "RS256", "kid": signIn.keyID, "typ": "JWT"])
        let keyDigest = Data(SHA256.hash(data: publicKey.derRepresentation)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(signIn.keyID == String(keyDigest.prefix(16)))
        let claims = try Self.claims(of: token)
        #expect(claims["iss"] as? String == origin + "/dev/clerk")
        #expect(claims["azp"] as? String == origin)
        #expect(
            claims["sub"] as? String == "user_" + Self.hex(SHA256.hash(data: Data("grace@example.com".utf8))).prefix(24)
        )
        #expect((claims["sid"] as? String)?.wholeMatch(of: /sess_[0-9a-f]{24}/) != nil)
        #expect(claims["iat"] as? Int == 1_800_000_000)
        #expect(claims["nbf"] as? Int == 1_800_000_000)
        #expect(claims["exp"] as? Int == 1_800_000_600)
        #expect(claims["email"] as? String == "grace@example.com")
        #expect(claims["name"] as? String == "Grace Hopper")
    }

    @Test func functionsReceiveTheSignInSettingsUnlessConfigured() async throws {
        let local = try await TestEmulator.start { $0.settings[.clerkIssuer] = "https://clerk.example.com" }
        defer { Task { await local.stop() } }
        let origin = local.endpoints.gateway.absoluteString
        let signIn = try #require(await local.emulator.developmentSignIn)

        let seen = try await local.invokeObject(Self.environmentEvent)

        #expect(seen["KLOUDHUB_PUBLIC_URL"] as? String == origin)
        #expect(seen["KLOUDHUB_CLERK_JWT_KEY"] as? String == signIn.publicKeyPEM)
        #expect(signIn.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(seen["KLOUDHUB_CLERK_ISSUER"] as? String == "https://clerk.example.com", "the configured value wins")
        #expect(signIn.issuer == origin + "/dev/clerk")
        #expect(seen["KLOUDHUB_CLERK_AUTHORIZED_PARTIES"] as? String == origin)
        #expect(seen["KLOUDHUB_CLERK_SIGN_IN_URL"] as? String == origin + "/dev/sign-in")
        #expect(seen["KLOUDHUB_CLERK_WEBHOOK_SECRET"] as? String == local.emulator.developmentSigningKey.webhookSecret)
        let secret = try #require(seen["KLOUDHUB_CLERK_WEBHOOK_SECRET"] as? String)
        #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
    }

    @Test func sessionTokenEndpointMintsATokenForScripts() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }

        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.gateway("/dev/session-token"), headers: ["Content-Type": "application/json"],
            body: Data(#"{"name":"Ada","email":"ada@example.com","lifetimeSeconds":120}"#.utf8))

        #expect(answer.status == 200)
        let object = try answer.json()
        let token = try #require(object["token"] as? String)
        let claims = try Self.claims(of: token)
        #expect(object["userId"] as? String == DevelopmentSignIn.userID(forEmail: "ada@example.com"))
        #expect(claims["sub"] as? String == object["userId"] as? String)
        #expect(object["expiresAt"] as? Int == claims["exp"] as? Int)
        #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 120)
    }

    @Test func sessionTokenEndpointRefusesMalformedRequests() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let bodies = [
            "not json", "[]", #"{"name":"Ada"}"#, #"{"name":1,"email":"ada@example.com"}"#,
            #"{"name":"Ada","email":"nope"}"#, #"{"name":"Ada","email":"ada@example.com","lifetimeSeconds":1.5}"#,
            #"{"name":"Ada","email":"ada@example.com","lifetimeSeconds":0}"#,
        ]
        for body in bodies {
            let answer = try await HTTPExchange.send(
                "POST", local.endpoints.gateway("/dev/session-token"), headers: ["Content-Type": "application/json"],
                body: Data(body.utf8))
            #expect(answer.status == 400, "\(body)")
            #expect(try answer.json()["error"] is String, "\(body)")
        }
    }

    // MARK: - The key

    @Test func keyFileIsReusedAndPrivate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dev-sign-in-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("nested/key.pem")

        let first = try DevelopmentSignIn(keyFile: keyFile, origin: "http://127.0.0.1:3000")
        let second = try DevelopmentSignIn(keyFile: keyFile, origin: "http://127.0.0.1:3000/")

        #expect(first.publicKeyPEM == second.publicKeyPEM)
        #expect(first.keyID == second.keyID)
        #expect(first.webhookSecret == second.webhookSecret)
        #expect(second.issuer == "http://127.0.0.1:3000/dev/clerk")
        let secretFile = keyFile.deletingLastPathComponent().appendingPathComponent("dev-webhook-secret")
        for file in [keyFile, secretFile] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(file.lastPathComponent)")
        }
        let token = try second.sessionToken(name: "Ada", email: "ada@example.com")
        #expect(first.verifiedClaims(of: token)?.email == "ada@example.com")
    }

    @Test func sameEmailIsTheSameUser() {
        #expect(
            DevelopmentSignIn.userID(forEmail: " Ada@Example.COM ")
                == DevelopmentSignIn.userID(forEmail: "ada@example.com"))
        #expect(DevelopmentSignIn.userID(forEmail: "ada@example.com").wholeMatch(of: /user_[0-9a-f]{24}/) != nil)
        #expect(
            DevelopmentSignIn.userID(forEmail: "ada@example.com")
                != DevelopmentSignIn.userID(forEmail: "grace@example.com"))
    }

    // MARK: - Helpers

    private static let environmentEvent =
        #"{"action":"environment","names":["# + sessionVariables.map { "\"\($0)\"" }.joined(separator: ",") + "]}"

    private static func base64URLDecoded(_ text: String) throws -> Data {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { throw TestFailure("not base64url: \(text)") }
        return data
    }

    private static func claims(of token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".").map(String.init)
        guard parts.count == 3,
            let claims = try JSONSerialization.jsonObject(with: base64URLDecoded(parts[1])) as? [String: Any]
        else { throw TestFailure("not a JWT: \(token)") }
        return claims
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
