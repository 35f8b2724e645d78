import LambdaRuntime

/// Reads and checks the members of a client metadata document, one rule per member; every
/// error names the member at fault.
struct ClientMetadataReader {
    let members: [String: JSONValue]

    // MARK: - Members

    func tokenEndpointAuthMethod() throws(ClientMetadataError) -> String {
        guard let method = try string("token_endpoint_auth_method", maximumLength: 64) else { return "none" }
        guard method == "none" else {
            throw .invalidDocument(
                field: "token_endpoint_auth_method", reason: "must be none: only public clients are supported")
        }
        return method
    }

    func redirectURIs() throws(ClientMetadataError) -> [String] {
        let field = "redirect_uris"
        guard
            let uris = try strings(
                field, maximumCount: ClientMetadataDocument.maximumRedirectURIs,
                maximumLength: ClientMetadataDocument.maximumURILength)
        else { throw .invalidDocument(field: field, reason: "is missing") }
        guard !uris.isEmpty else { throw .invalidDocument(field: field, reason: "is empty") }
        for uri in uris {
            if let problem = Self.redirectURIProblem(uri) { throw .invalidDocument(field: field, reason: problem) }
        }
        return uris
    }

    func grantTypes() throws(ClientMetadataError) -> [String] {
        let allowed = ["authorization_code", "refresh_token"]
        guard let grants = try strings("grant_types", maximumCount: 8, maximumLength: 64) else {
            return ["authorization_code"]
        }
        guard !grants.isEmpty, grants.allSatisfy(allowed.contains) else {
            throw .invalidDocument(field: "grant_types", reason: "may list only authorization_code and refresh_token")
        }
        return grants
    }

    func responseTypes() throws(ClientMetadataError) -> [String] {
        guard let types = try strings("response_types", maximumCount: 8, maximumLength: 64) else { return ["code"] }
        guard !types.isEmpty, types.allSatisfy({ $0 == "code" }) else {
            throw .invalidDocument(field: "response_types", reason: "may list only code")
        }
        return types
    }

    /// The name, free of control characters and of the bidirectional overrides that could make
    /// a consent screen show another name than the one stored.
    func clientName() throws(ClientMetadataError) -> String {
        let limit = ClientMetadataDocument.maximumClientNameLength
        guard let name = try string("client_name", maximumLength: limit * 4) else { return "" }
        guard name.unicodeScalars.count <= limit else {
            throw .invalidDocument(field: "client_name", reason: "is longer than \(limit) characters")
        }
        let isForbidden: (Unicode.Scalar) -> Bool = { scalar in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
                || (0x2066...0x2069).contains(scalar.value)
        }
        guard !name.unicodeScalars.contains(where: isForbidden) else {
            throw .invalidDocument(field: "client_name", reason: "holds control or text direction characters")
        }
        return name
    }

    /// An https URL shown or linked to on a consent screen (`client_uri`, `logo_uri`).
    func webURL(_ field: String) throws(ClientMetadataError) -> String? {
        guard let text = try string(field, maximumLength: ClientMetadataDocument.maximumURILength) else { return nil }
        guard let url = try? AbsoluteHTTPURL(parsing: text), url.scheme == "https", !url.hasUserinfo else {
            throw .invalidDocument(field: field, reason: "is not an https URL")
        }
        return text
    }

    // MARK: - Types

    /// The member as a string of at most `maximumLength` bytes; nil when absent.
    func string(_ field: String, maximumLength: Int) throws(ClientMetadataError) -> String? {
        guard let value = members[field] else { return nil }
        guard case .string(let text) = value else { throw .invalidDocument(field: field, reason: "is not a string") }
        guard text.utf8.count <= maximumLength else {
            throw .invalidDocument(field: field, reason: "is longer than \(maximumLength) bytes")
        }
        return text
    }

    /// The member as an array of strings; nil when absent.
    func strings(_ field: String, maximumCount: Int, maximumLength: Int) throws(ClientMetadataError) -> [String]? {
        guard let value = members[field] else { return nil }
        guard case .array(let elements) = value else {
            throw .invalidDocument(field: field, reason: "is not an array of strings")
        }
        guard elements.count <= maximumCount else {
            throw .invalidDocument(field: field, reason: "lists more than \(maximumCount) entries")
        }
        var texts: [String] = []
        for element in elements {
            guard case .string(let text) = element else {
                throw .invalidDocument(field: field, reason: "is not an array of strings")
            }
            guard text.utf8.count <= maximumLength else {
                throw .invalidDocument(field: field, reason: "holds an entry longer than \(maximumLength) bytes")
            }
            texts.append(text)
        }
        return texts
    }

    // MARK: - Redirect URIs

    /// Why a redirect URI is refused, or nil: it must be an https URL, or an http URL on a
    /// loopback host (RFC 8252's native apps), without a fragment or a user name.
    static func redirectURIProblem(_ uri: String) -> String? {
        guard let url = try? AbsoluteHTTPURL(parsing: uri) else {
            return "holds an entry that is not an absolute https URL"
        }
        if url.scheme == "http", !["127.0.0.1", "[::1]", "localhost"].contains(url.host.lowercased()) {
            return "holds an http URL whose host is not 127.0.0.1, [::1] or localhost"
        }
        if url.fragment != nil { return "holds a URL with a fragment" }
        if url.hasUserinfo { return "holds a URL with a user name or password" }
        return nil
    }
}
