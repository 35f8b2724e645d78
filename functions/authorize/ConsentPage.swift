import FoundationEssentials
import KloudCore

/// The pages the authorization endpoint shows a person: consent, and errors that must not
/// redirect. Everything a client supplied is escaped; the pages load nothing and may not be
/// framed (the headers of ``APIResponse/html(_:_:headers:cookies:)``).
enum ConsentPage {
    static func consent(for request: AuthorizationRequest, csrfToken: String) -> String {
        let client = APIResponse.escapeHTML(request.client.displayName)
        let host = APIResponse.escapeHTML(URL(string: request.redirectURI)?.host ?? request.redirectURI)
        let scopes = request.scopes.sorted().map { "<li>\(APIResponse.escapeHTML($0.summary))</li>" }.joined()
        let fields = (request.parameters + [("csrf_token", csrfToken)]).map { name, value in
            "<input type=\"hidden\" name=\"\(name)\" value=\"\(APIResponse.escapeHTML(value))\">"
        }.joined(separator: "\n")
        return layout(
            title: "Allow \(client) to use your KloudHub account?",
            body: """
                <h1>Allow <strong>\(client)</strong> to use your KloudHub account?</h1>
                <p>\(client) is asking to:</p>
                <ul>\(scopes)</ul>
                <p class="note">After you decide, you will be sent back to <strong>\(host)</strong>.
                You can disconnect it at any time in KloudHub's settings.</p>
                <form method="post" action="/oauth/authorize">
                \(fields)
                <button type="submit" name="decision" value="allow" class="allow">Allow</button>
                <button type="submit" name="decision" value="deny">Deny</button>
                </form>
                """)
    }

    /// The consent page's own headers: its form's answer is a redirect to the client, so the
    /// page's policy lets the form go to the redirect URI's origin as well as to KloudHub.
    static func headers(for request: AuthorizationRequest) -> [String: String] {
        let targets = formTarget(for: request.redirectURI).map { [$0] } ?? []
        return ["Content-Security-Policy": APIResponse.contentSecurityPolicy(formTargets: targets)]
    }

    /// The origin of a registered redirect URI as a CSP source (`https://claude.ai`,
    /// `http://127.0.0.1:53682`); nil for anything that is not plainly one, which then stays
    /// outside the policy rather than widening it.
    static func formTarget(for redirectURI: String) -> String? {
        guard let separator = redirectURI.firstRange(of: "://") else { return nil }
        let scheme = redirectURI[..<separator.lowerBound].lowercased()
        let authority = redirectURI[separator.upperBound...].prefix { $0 != "/" && $0 != "?" }
        let isPlain = authority.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
        guard scheme == "https" || scheme == "http", !authority.isEmpty, isPlain else { return nil }
        return scheme + "://" + authority.lowercased()
    }

    static func error(_ message: String) -> String {
        layout(
            title: "KloudHub cannot continue",
            body: """
                <h1>KloudHub cannot continue this sign-in</h1>
                <p>\(APIResponse.escapeHTML(message)).</p>
                <p class="note">Return to the application and try connecting again.</p>
                """)
    }

    private static func layout(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
        h1{font-size:1.4rem}li{margin:.4rem 0}.note{color:#52606d;font-size:.9rem}
        button{font-size:1rem;padding:.6rem 1.4rem;margin-right:.6rem;border-radius:.4rem;border:1px solid #9aa5b1;
        background:#fff;cursor:pointer}button.allow{background:#2563eb;border-color:#2563eb;color:#fff}
        </style></head><body>
        \(body)
        </body></html>
        """
    }
}
