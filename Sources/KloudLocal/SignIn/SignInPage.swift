import KloudCore

/// The HTML of the development sign-in pages: a plain form, no scripts, every interpolated
/// value escaped.
enum SignInPage {
    /// The sign-in form, filled with what was entered before and showing `error` if any.
    static func form(name: String = "", email: String = "", redirectURL: String, error: String? = nil) -> String {
        let alert = error.map { #"<p class="error" role="alert">\#(APIResponse.escapeHTML($0))</p>"# } ?? ""
        return page(
            title: "Sign in",
            body: """
                <h1>Sign in to KloudHub</h1>
                \(notice)
                \(alert)
                <form method="post" action="/dev/sign-in">
                  <label for="name">Name</label>
                  <input id="name" name="name" type="text" autocomplete="name" maxlength="200" required \
                value="\(APIResponse.escapeHTML(name))">
                  <label for="email">Email</label>
                  <input id="email" name="email" type="email" autocomplete="email" required \
                value="\(APIResponse.escapeHTML(email))">
                  <input type="hidden" name="redirect_url" value="\(APIResponse.escapeHTML(redirectURL))">
                  <button type="submit">Sign in</button>
                </form>
                """)
    }

    /// Who the session cookie names, with a way to sign out.
    static func signedIn(name: String, email: String) -> String {
        page(
            title: "Signed in",
            body: """
                <h1>Signed in</h1>
                \(notice)
                <p class="who">Signed in as \(APIResponse.escapeHTML(name)) &lt;\(APIResponse.escapeHTML(email))&gt;</p>
                <form method="post" action="/dev/sign-out">
                  <button type="submit">Sign out</button>
                </form>
                """)
    }

    /// The page for a browser without a valid session.
    static let signedOut = page(
        title: "Not signed in",
        body: """
            <h1>Not signed in</h1>
            \(notice)
            <p><a href="/dev/sign-in">Sign in</a></p>
            """)

    /// The visible reminder of what this page is, on every one of them.
    private static let notice = """
        <p class="notice">This is KloudHub&#39;s local development sign-in, served by \
        <code>kloudhub-local</code> in place of Clerk. There is no password: whoever you say you \
        are here is who the functions see. It does not exist outside the emulator.</p>
        """

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>\(APIResponse.escapeHTML(title)) · KloudHub (local development)</title>
        <style>\(style)</style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    private static let style = """
        body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f3f4f6;\
        font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827}\
        main{width:min(24rem,calc(100% - 2rem));background:#fff;border-radius:12px;padding:2rem;\
        box-shadow:0 1px 3px rgba(0,0,0,.12)}\
        h1{margin:0 0 1rem;font-size:1.4rem}\
        .notice{margin:0 0 1.25rem;padding:.75rem;border-radius:8px;background:#fef3c7;color:#78350f;\
        font-size:.875rem}\
        .error{margin:0 0 1rem;padding:.75rem;border-radius:8px;background:#fee2e2;color:#991b1b}\
        form{display:grid;gap:.5rem}\
        label{font-weight:600;font-size:.875rem}\
        input{padding:.6rem .75rem;border:1px solid #d1d5db;border-radius:8px;font:inherit}\
        button{margin-top:.75rem;padding:.65rem;border:0;border-radius:8px;background:#4f46e5;color:#fff;\
        font:inherit;font-weight:600;cursor:pointer}\
        .who{word-break:break-word}
        """
}
