import Foundation
import KloudCore

/// Serves the emulator's own pages on the gateway's origin, ahead of the manifests' routes:
/// the sign-in form, its result, sign-out, and a token endpoint for scripts and tests.
struct DevelopmentSignInHandler {
    /// A request for one of the reserved paths.
    struct Request {
        var method: String
        var path: String
        var query: String
        /// Header fields with lowercase names; repeated ones comma-joined, cookies `; `-joined.
        var headers: [String: String]
        var body: Data
    }

    /// The paths the emulator keeps for itself, whatever the manifests route.
    static let reservedPaths: Set<String> = [
        "/dev/sign-in", "/dev/sign-in/done", "/dev/sign-out", "/dev/session-token",
    ]
    /// The largest body these pages read.
    static let maximumRequestBytes = 64 * 1024
    static let sessionCookieName = "__session"

    /// How long a session made by the form lasts: a working day.
    static let sessionLifetime = Duration.seconds(8 * 3600)

    let signIn: DevelopmentSignIn

    func response(to request: Request) -> GatewayResponse {
        switch (request.method, request.path) {
        case ("GET", "/dev/sign-in"):
            return signInForm(query: FormEncoding.firstValues(request.query))
        case ("GET", "/dev/sign-in/done"):
            return signedInPage(cookies: request.headers["cookie"] ?? "")
        case ("POST", "/dev/sign-in"):
            return refusalOfCrossSite(request)
                ?? signInSubmission(FormEncoding.firstValues(String(decoding: request.body, as: UTF8.self)))
        case ("POST", "/dev/sign-out"):
            return refusalOfCrossSite(request)
                ?? Self.redirect(to: "/dev/sign-in", setting: Self.sessionCookie("", maxAge: 0))
        case ("POST", "/dev/session-token"):
            return refusalOfCrossSite(request) ?? sessionTokenResponse(request.body)
        default:
            let allowed = ["/dev/sign-in": "GET, POST", "/dev/sign-in/done": "GET"][request.path] ?? "POST"
            var response = GatewayResponse.message(405, "Method Not Allowed")
            response.headers.append(("allow", allowed))
            return response
        }
    }

    // MARK: - The form

    private func signInForm(query: [String: String]) -> GatewayResponse {
        let requested = query["redirect_url"] ?? ""
        guard RedirectTarget(requested, origin: signIn.origin) != .refused else {
            return Self.html(400, SignInPage.form(redirectURL: "", error: Self.foreignRedirectMessage))
        }
        return Self.html(200, SignInPage.form(redirectURL: requested))
    }

    private func signInSubmission(_ form: [String: String]) -> GatewayResponse {
        let name = form["name"] ?? ""
        let email = form["email"] ?? ""
        let requested = form["redirect_url"] ?? ""
        guard case .location(let location) = RedirectTarget(requested, origin: signIn.origin) else {
            return Self.html(
                400, SignInPage.form(name: name, email: email, redirectURL: "", error: Self.foreignRedirectMessage))
        }
        do {
            let session = try signIn.session(name: name, email: email, lifetime: Self.sessionLifetime, now: Date())
            let maxAge = session.claims.exp - session.claims.iat
            return Self.redirect(to: location, setting: Self.sessionCookie(session.token, maxAge: maxAge))
        } catch let error as DevelopmentSignInError {
            return Self.html(
                400, SignInPage.form(name: name, email: email, redirectURL: requested, error: error.message))
        } catch {
            return Self.internalError
        }
    }

    private func signedInPage(cookies: String) -> GatewayResponse {
        let token = cookies.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(Self.sessionCookieName + "=") }?.dropFirst(Self.sessionCookieName.count + 1)
        guard let token, let claims = signIn.verifiedClaims(of: String(token), at: Date()) else {
            return Self.html(200, SignInPage.signedOut)
        }
        return Self.html(200, SignInPage.signedIn(name: claims.name, email: claims.email))
    }

    /// A 403 for a POST from a page of another origin (a browser names it in `Origin`), so that
    /// no other site can sign a visitor in or out; nil for the rest. Clients that send no
    /// `Origin` are not browsers posting across sites.
    private func refusalOfCrossSite(_ request: Request) -> GatewayResponse? {
        guard let origin = request.headers["origin"] else { return nil }
        let own = request.headers["host"].map { "http://" + $0 } ?? signIn.origin
        return origin.lowercased() == own.lowercased() ? nil : .message(403, "Forbidden")
    }

    private static let foreignRedirectMessage =
        "The redirect_url must be a path on this gateway or a URL on its own origin."

    // MARK: - The token endpoint

    /// What `POST /dev/session-token` reads.
    private struct SessionTokenRequest: Decodable {
        var name: String
        var email: String
        var lifetimeSeconds: Int?
    }

    private func sessionTokenResponse(_ body: Data) -> GatewayResponse {
        guard let request = try? JSONDecoder().decode(SessionTokenRequest.self, from: body) else {
            return Self.json(
                400,
                [
                    "error":
                        "The body must be a JSON object with string members name and email and an optional integer lifetimeSeconds."
                ])
        }
        do {
            let session = try signIn.session(
                name: request.name, email: request.email,
                lifetime: request.lifetimeSeconds.map { .seconds($0) } ?? Self.sessionLifetime,
                now: Date())
            return Self.json(
                200, ["token": session.token, "userId": session.claims.sub, "expiresAt": session.claims.exp])
        } catch let error as DevelopmentSignInError {
            return Self.json(400, ["error": error.message])
        } catch {
            return Self.internalError
        }
    }

    // MARK: - Responses

    /// A signature that could not be made; nothing a client can fix.
    private static let internalError = GatewayResponse.message(500, "Internal Server Error")

    private static func html(_ status: Int, _ page: String) -> GatewayResponse {
        GatewayResponse(
            status: status,
            headers: [
                ("content-type", "text/html; charset=utf-8"),
                ("cache-control", "no-store"),
                (
                    "content-security-policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
                ),
                ("x-frame-options", "DENY"),
                ("x-content-type-options", "nosniff"),
                ("referrer-policy", "same-origin"),
            ],
            body: Data(page.utf8))
    }

    private static func json(_ status: Int, _ object: [String: Any]) -> GatewayResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return GatewayResponse(
            status: status, headers: [("content-type", "application/json"), ("cache-control", "no-store")], body: body)
    }

    private static func redirect(to location: String, setting cookie: String) -> GatewayResponse {
        GatewayResponse(
            status: 303, headers: [("location", location), ("cache-control", "no-store"), ("set-cookie", cookie)],
            body: Data())
    }

    private static func sessionCookie(_ value: String, maxAge: Int) -> String {
        "\(sessionCookieName)=\(value); Path=/; HttpOnly; SameSite=Lax; Max-Age=\(maxAge)"
    }
}
