import FoundationEssentials
import LambdaRuntime

/// A public OAuth client described by a Client ID Metadata Document: the JSON an https client id
/// URL serves, checked against the rules this server applies before it trusts the client.
///
/// Only public clients (`token_endpoint_auth_method` `none`) using the authorization code grant
/// are accepted. The `redirect_uris` govern where codes may be sent.
public struct ClientMetadataDocument: Sendable, Equatable {
    /// The most redirect URIs a document may list.
    public static let maximumRedirectURIs = 20
    /// The most characters of a URL member.
    public static let maximumURILength = 2048
    /// The most characters (Unicode scalars) of `client_name`.
    public static let maximumClientNameLength = 200

    /// The client id: the document's URL.
    public let clientID: String
    /// The name to show the person authorizing the client; empty when the document has none.
    public let clientName: String
    /// Where authorization codes may be sent, compared exactly.
    public let redirectURIs: [String]
    /// `authorization_code`, and `refresh_token` if listed.
    public let grantTypes: [String]
    /// Always `["code"]`.
    public let responseTypes: [String]
    /// Always `none`: a public client.
    public let tokenEndpointAuthMethod: String
    /// The client's home page, an https URL.
    public let clientURI: String?
    /// The client's logo, an https URL.
    public let logoURI: String?
    /// The whole document as compact JSON with sorted keys, to store beside the client.
    public let documentJSON: String

    /// Parses and checks a document fetched from `clientID`.
    public init(parsing bytes: [UInt8], fetchedFrom clientID: String) throws(ClientMetadataError) {
        let members: [String: JSONValue]
        do {
            guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
                throw ClientMetadataError.invalidDocument(field: "document", reason: "is not a JSON object")
            }
            members = object
        } catch let error as ClientMetadataError {
            throw error
        } catch {
            throw .invalidDocument(field: "document", reason: "is not valid JSON")
        }
        let reader = ClientMetadataReader(members: members)

        // Byte for byte: Swift's `==` on String would also match canonically equivalent text.
        guard let documentClientID = try reader.string("client_id", maximumLength: ClientIDURL.maximumLength),
            Array(documentClientID.utf8) == Array(clientID.utf8)
        else { throw .invalidDocument(field: "client_id", reason: "does not equal the URL it was fetched from") }
        self.clientID = clientID

        for secretMember in ["client_secret", "client_secret_expires_at"] where members[secretMember] != nil {
            throw .invalidDocument(field: secretMember, reason: "is not allowed: a metadata document client is public")
        }
        tokenEndpointAuthMethod = try reader.tokenEndpointAuthMethod()
        redirectURIs = try reader.redirectURIs()
        grantTypes = try reader.grantTypes()
        responseTypes = try reader.responseTypes()
        clientName = try reader.clientName()
        clientURI = try reader.webURL("client_uri")
        logoURI = try reader.webURL("logo_uri")
        documentJSON = try Self.compactJSON(members)
    }

    private static func compactJSON(_ members: [String: JSONValue]) throws(ClientMetadataError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(JSONValue.object(members)), as: UTF8.self)
        } catch {
            throw .invalidDocument(field: "document", reason: "holds a value that cannot be stored")
        }
    }
}
