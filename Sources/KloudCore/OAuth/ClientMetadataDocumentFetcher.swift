import FoundationEssentials
import Synchronization

/// A Client ID Metadata Document with the time until which it may be used without fetching it again.
public struct FetchedClientMetadata: Sendable, Equatable {
    /// The checked document.
    public var document: ClientMetadataDocument
    /// When the document must be fetched again, from the response's caching headers.
    public var expiresAt: Date

    /// Pairs a document with its expiry.
    public init(document: ClientMetadataDocument, expiresAt: Date) {
        self.document = document
        self.expiresAt = expiresAt
    }
}

/// Fetches Client ID Metadata Documents for https client ids, safely against server-side request
/// forgery, and keeps them in memory as long as their caching headers allow.
///
/// A client id is checked before any network access. Its host is resolved here and refused if any
/// of its addresses is not public (``IPAddress/isPubliclyRoutable``); libcurl is then pinned to
/// the vetted addresses, so a DNS answer that changes in between cannot send the request
/// elsewhere. Only https, no redirects, at most ``maximumDocumentSize`` bytes, 2 s to connect and
/// 5 s in all; the answer must be `200` with a JSON content type. Failures are not cached.
public final class ClientMetadataDocumentFetcher: Sendable {
    /// Which URLs and addresses a fetch may reach.
    public struct FetchPolicy: Sendable, Hashable {
        /// Whether plain `http` and loopback addresses are allowed (tests and the local emulator).
        public let allowsLoopbackHTTP: Bool

        /// https to public internet addresses only: the policy of a deployed server.
        public static let internet = FetchPolicy(allowsLoopbackHTTP: false)
        /// Also `http`, and loopback addresses, for documents served by a test or the emulator;
        /// other private addresses stay refused.
        public static let allowingLoopbackHTTP = FetchPolicy(allowsLoopbackHTTP: true)
    }

    /// The largest document accepted, the draft's suggested limit of 5 KB.
    public static let maximumDocumentSize = 5 * 1024
    /// How long a connection (and, separately, the name lookup) may take.
    public static let connectTimeout: Duration = .seconds(2)
    /// How long the whole exchange may take.
    public static let timeout: Duration = .seconds(5)
    /// How long a document is kept when its response has no caching headers.
    public static let defaultCacheLifetime: Duration = .seconds(5 * 60)
    /// The longest a document is kept, whatever its headers say.
    public static let maximumCacheLifetime: Duration = .seconds(24 * 60 * 60)
    /// How many documents are kept in memory.
    public static let cacheCapacity = 256

    private let httpClient: HTTPClient
    private let policy: FetchPolicy
    private let now: @Sendable () -> Date
    private let cache = Mutex(ClientMetadataCache(capacity: ClientMetadataDocumentFetcher.cacheCapacity))

    /// Creates a fetcher that sends its requests through `httpClient`.
    public init(
        httpClient: HTTPClient, policy: FetchPolicy = .internet, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.httpClient = httpClient
        self.policy = policy
        self.now = now
    }

    /// The document for `clientID`, from the cache while it is fresh, else fetched and checked.
    public func document(for clientID: String) async throws(ClientMetadataError) -> FetchedClientMetadata {
        if let cached = cache.withLock({ $0.entry(for: clientID, at: now()) }) { return cached }
        let url = try ClientIDURL(clientID, allowingHTTP: policy.allowsLoopbackHTTP)
        let addresses = try await vettedAddresses(of: url)
        let response = try await fetch(url, at: addresses)
        let document = try ClientMetadataDocument(parsing: response.body, fetchedFrom: clientID)
        let receivedAt = now()
        let fetched = FetchedClientMetadata(
            document: document,
            expiresAt: ClientMetadataCache.expiry(
                of: response.headers, receivedAt: receivedAt, defaultLifetime: Self.defaultCacheLifetime,
                maximumLifetime: Self.maximumCacheLifetime))
        cache.withLock { $0.store(fetched, for: clientID, at: receivedAt) }
        return fetched
    }

    // MARK: - Addresses

    /// The host's addresses, every one of them allowed by the policy.
    private func vettedAddresses(of url: ClientIDURL) async throws(ClientMetadataError) -> [IPAddress] {
        let addresses: [IPAddress]
        if let literal = url.hostAddress {
            addresses = [literal]
        } else {
            guard let resolved = await HostResolver.addresses(of: url.host, timeout: Self.connectTimeout),
                !resolved.isEmpty
            else { throw .fetchFailed(reason: "the host name did not resolve") }
            addresses = resolved
        }
        guard addresses.allSatisfy(isAllowed) else { throw .forbiddenAddress }
        return addresses
    }

    private func isAllowed(_ address: IPAddress) -> Bool {
        address.isPubliclyRoutable || (policy.allowsLoopbackHTTP && address.isLoopback)
    }

    // MARK: - Fetching

    private func fetch(_ url: ClientIDURL, at addresses: [IPAddress]) async throws(ClientMetadataError) -> HTTPResponse
    {
        var request = HTTPRequest(
            method: "GET", url: url.text, headers: ["Accept": "application/json"], timeout: Self.timeout)
        request.connectTimeout = Self.connectTimeout
        request.maximumResponseBodySize = Self.maximumDocumentSize
        request.isHTTPSRequired = !policy.allowsLoopbackHTTP
        request.pinnedAddresses = addresses
        let response: HTTPResponse
        do {
            response = try await httpClient.execute(request)
        } catch {
            throw Self.fetchError(for: error)
        }
        switch response.status {
        case 200:
            break
        case 300..<400:
            throw .fetchFailed(reason: "the URL answered with a redirect, and redirects are not followed")
        default:
            throw .fetchFailed(reason: "the URL answered with HTTP status \(response.status)")
        }
        guard Self.isJSON(response.headers["Content-Type"]) else {
            throw .fetchFailed(reason: "the response's content type is not JSON")
        }
        return response
    }

    /// `application/json` or a `+json` type, with any parameters.
    private static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = (contentType.split(separator: ";").first ?? "").trimmingASCIIWhitespace().lowercased()
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }

    private static func fetchError(for error: HTTPClientError) -> ClientMetadataError {
        switch error.code {
        case .responseTooLarge: .tooLarge
        case .timedOut: .fetchFailed(reason: "the URL did not answer in time")
        case .connectionFailed: .fetchFailed(reason: "no connection to the URL's host could be made")
        case .tlsFailed: .fetchFailed(reason: "the TLS connection failed or its certificate did not verify")
        case .cancelled: .fetchFailed(reason: "the fetch was cancelled")
        default: .fetchFailed(reason: "the exchange with the URL's host failed (\(error.code))")
        }
    }
}
