/// Follows an API's continuation tokens to the last page, with a bound.
///
/// A call that passes ``defaultMaximumPages`` (or the bound given), or that gets back the
/// token it just sent, stops with ``AWSError/Code/paginationLimitExceeded`` rather than loop
/// forever or drop pages silently.
public enum AWSPagination {
    /// The most pages followed unless a call says otherwise.
    public static let defaultMaximumPages = 1000

    /// Calls `fetch` with each page's token (nil first), hands every page to `body`, and stops
    /// after the page without a next token.
    public static func forEachPage<Page>(
        service: String,
        maximumPages: Int = defaultMaximumPages,
        fetch: (_ token: String?) async throws(AWSError) -> (page: Page, nextToken: String?),
        body: (Page) async throws(AWSError) -> Void
    ) async throws(AWSError) {
        var token: String?
        var pageCount = 0
        repeat {
            guard pageCount < maximumPages else {
                throw .paginationLimitExceeded(service, "more than \(maximumPages) pages")
            }
            let (page, next) = try await fetch(token)
            pageCount += 1
            try await body(page)
            let nextToken = next.flatMap { $0.isEmpty ? nil : $0 }
            if let nextToken, nextToken == token {
                throw .paginationLimitExceeded(service, "the service repeated a continuation token")
            }
            token = nextToken
        } while token != nil
    }

    /// Every page, in order.
    public static func allPages<Page>(
        service: String,
        maximumPages: Int = defaultMaximumPages,
        fetch: (_ token: String?) async throws(AWSError) -> (page: Page, nextToken: String?)
    ) async throws(AWSError) -> [Page] {
        var pages: [Page] = []
        try await forEachPage(service: service, maximumPages: maximumPages, fetch: fetch) { page throws(AWSError) in
            pages.append(page)
        }
        return pages
    }
}
