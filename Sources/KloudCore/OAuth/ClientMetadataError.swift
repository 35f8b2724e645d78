/// Why a Client ID Metadata Document could not be used.
///
/// Every case's `description` is a fixed sentence plus, at most, a reason of the fetcher's own
/// wording: never the server's text, and never the addresses a host resolved to, so it can go
/// into an OAuth `error_description` as it is.
public enum ClientMetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client id is not a URL this server fetches (wrong scheme, no path, a fragment...).
    case invalidClientID(reason: String)
    /// The client id's host is, or resolves to, an address that is not on the public internet.
    case forbiddenAddress
    /// The document could not be fetched: no answer, a redirect, a status other than 200, not JSON.
    case fetchFailed(reason: String)
    /// The document is larger than ``ClientMetadataDocumentFetcher/maximumDocumentSize``.
    case tooLarge
    /// The document was fetched but breaks a rule; `field` names the member at fault.
    case invalidDocument(field: String, reason: String)

    /// A stable, machine-readable reason, spelled in snake_case.
    public var code: String {
        switch self {
        case .invalidClientID: "invalid_client_id"
        case .forbiddenAddress: "forbidden_address"
        case .fetchFailed: "fetch_failed"
        case .tooLarge: "document_too_large"
        case .invalidDocument: "invalid_document"
        }
    }

    /// The code and a sentence, safe to show to the person authorizing the client.
    public var description: String {
        switch self {
        case .invalidClientID(let reason):
            "\(code): the client id is not a valid metadata document URL: \(reason)"
        case .forbiddenAddress:
            "\(code): the client id's host is not a public internet address"
        case .fetchFailed(let reason):
            "\(code): the client metadata document could not be fetched: \(reason)"
        case .tooLarge:
            "\(code): the client metadata document is larger than "
                + "\(ClientMetadataDocumentFetcher.maximumDocumentSize) bytes"
        case .invalidDocument(let field, let reason):
            "\(code): the client metadata document's \(field) \(reason)"
        }
    }
}
