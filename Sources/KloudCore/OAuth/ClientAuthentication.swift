import FoundationEssentials
import LambdaRuntime

/// Client authentication at the token and revocation endpoints (RFC 6749 section 2.3): a
/// public client names itself with `client_id`; a confidential one proves its secret with
/// HTTP Basic or in the body. An unknown client or a wrong secret is `invalid_client` (401),
/// which tells a client such as Claude to register again.
public enum ClientAuthentication {
    public static func authenticate(
        _ request: APIGatewayV2Request, fields: [String: String], clients: ClientStore
    ) throws -> OAuthClient {
        var clientID = fields["client_id"]
        var secret = fields["client_secret"]
        let usedBasic = request.header("authorization")?.lowercased().hasPrefix("basic ") ?? false
        if usedBasic {
            guard secret == nil, let credentials = basicCredentials(request.header("authorization") ?? "") else {
                throw failure(usedBasic: true, "the Basic credentials are malformed")
            }
            if let named = clientID, named != credentials.id {
                throw failure(usedBasic: true, "client_id differs from the authenticated client")
            }
            clientID = credentials.id
            secret = credentials.secret
        }
        guard let clientID, !clientID.isEmpty else {
            throw APIError(.badRequest, "invalid_request", "client_id is required")
        }
        guard let client = try clients.find(clientID) else {
            throw failure(usedBasic: usedBasic, "the client is not registered")
        }
        if client.authMethod == .none {
            guard secret == nil else { throw failure(usedBasic: usedBasic, "this public client has no secret") }
        } else {
            guard let secret, try clients.verifySecret(secret, of: clientID) else {
                throw failure(usedBasic: usedBasic, "the client secret is missing or wrong")
            }
        }
        return client
    }

    /// `id:secret` from an HTTP Basic header, each form-decoded as RFC 6749 section 2.3.1 asks.
    static func basicCredentials(_ header: String) -> (id: String, secret: String)? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let decoded = Data(base64Encoded: String(parts[1])),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        let pairs = FormEncoding.decode("id=\(text[..<colon])&secret=\(text[text.index(after: colon)...])")
        guard pairs.count == 2 else { return nil }
        return (pairs[0].value, pairs[1].value)
    }

    private static func failure(usedBasic: Bool, _ message: String) -> APIError {
        APIError(
            .unauthorized, "invalid_client", message,
            headers: usedBasic ? ["WWW-Authenticate": "Basic realm=\"kloudhub\""] : [:])
    }
}
