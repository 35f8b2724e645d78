import Foundation

/// Where the sign-in form may send the browser once it is done: a path on the gateway, or an
/// absolute URL on the gateway's own origin; never another site.
enum RedirectTarget: Equatable {
    /// Send the browser here (a `Location` value).
    case location(String)
    /// The requested target is on another origin, or is not a URL a browser reads one way only.
    case refused

    /// Where a sign-in without a `redirect_url` ends.
    static let signedInPage = "/dev/sign-in/done"

    /// Checks `requested` against `origin` (`http://127.0.0.1:3000`).
    init(_ requested: String?, origin: String) {
        guard let requested, !requested.isEmpty else {
            self = .location(Self.signedInPage)
            return
        }
        // Browsers drop tabs and newlines from URLs and read `\` as `/`, so `/\evil.example` or
        // `/<TAB>/evil.example` would leave the site; visible ASCII other than `\` only.
        let isPlain = requested.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != "\\" }
        if !isPlain {
            self = .refused
        } else if requested.hasPrefix("/") {
            self = requested.hasPrefix("//") ? .refused : .location(requested)
        } else {
            self = Self.isSameOrigin(requested, origin) ? .location(requested) : .refused
        }
    }

    private static func isSameOrigin(_ url: String, _ origin: String) -> Bool {
        guard let target = URLComponents(string: url), let own = URLComponents(string: origin),
            target.user == nil, target.password == nil, let scheme = target.scheme?.lowercased(),
            scheme == own.scheme?.lowercased(), let host = target.host?.lowercased(), host == own.host?.lowercased()
        else { return false }
        let defaultPort = scheme == "https" ? 443 : 80
        return (target.port ?? defaultPort) == (own.port ?? defaultPort)
    }
}
