/// A client id that names a Client ID Metadata Document, checked before any network access.
///
/// The rules are the draft's (draft-ietf-oauth-client-id-metadata-document, "Client Identifier
/// URL"): the `https` scheme, a host, a path component, no fragment, no user name or password,
/// no `.` or `..` path segments. A query is allowed. The text is kept exactly as given, since the
/// document's `client_id` must equal it without any normalization.
public struct ClientIDURL: Sendable, Hashable, CustomStringConvertible {
    /// The most characters a client id URL may have.
    public static let maximumLength = 2048

    /// The URL, exactly as the client sent it.
    public let text: String
    /// The host as written (an IPv6 address in brackets).
    public let host: String
    /// The port a connection goes to: the one written, else 443 (or 80 for `http`).
    public let port: Int
    /// The host when it is an address literal rather than a name.
    public let hostAddress: IPAddress?

    /// Checks `text` against the client id URL rules; `http` passes only when `allowingHTTP`.
    public init(_ text: String, allowingHTTP: Bool = false) throws(ClientMetadataError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw .invalidClientID(reason: "it is longer than \(Self.maximumLength) characters")
        }
        let url: AbsoluteHTTPURL
        do {
            url = try AbsoluteHTTPURL(parsing: text)
        } catch {
            throw .invalidClientID(reason: error.reason)
        }
        guard url.scheme == "https" || allowingHTTP else {
            throw .invalidClientID(reason: "its scheme is not https")
        }
        guard !url.hasUserinfo else { throw .invalidClientID(reason: "it holds a user name or password") }
        guard url.fragment == nil else { throw .invalidClientID(reason: "it holds a fragment") }
        guard !url.path.isEmpty, url.path != "/" else { throw .invalidClientID(reason: "it has no path") }
        guard !url.path.split(separator: "/").contains(where: Self.isDotSegment) else {
            throw .invalidClientID(reason: "its path holds a . or .. segment")
        }
        self.text = text
        host = url.host
        port = url.effectivePort
        hostAddress = url.hostAddress
    }

    /// The URL's text.
    public var description: String { text }

    /// Whether a segment is `.` or `..`, also when its dots are percent-encoded (`%2e`).
    private static func isDotSegment(_ segment: Substring) -> Bool {
        let decoded = segment.lowercased().replacing("%2e", with: ".")
        return decoded == "." || decoded == ".."
    }
}
