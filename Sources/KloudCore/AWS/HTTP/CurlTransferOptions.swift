import CLibCurl

/// The libcurl options every transfer of a client gets: TLS verification, timeouts, HTTP/1.1,
/// no redirects, and the callbacks that connect libcurl to a ``CurlTransfer``.
struct CurlTransferOptions: Sendable {
    var connectTimeout: Duration
    var timeout: Duration
    var caBundlePath: String?
    var userAgent: String
    /// The time left in the current invocation (``InvocationDeadline``), which bounds both
    /// timeouts; nil outside an invocation.
    var timeLeft: Duration?

    func apply(
        to handle: CurlEasyHandle,
        request: HTTPRequest,
        headerList: UnsafeMutablePointer<curl_slist>?,
        resolveList: UnsafeMutablePointer<curl_slist>?,
        transfer: CurlTransfer
    ) throws(HTTPClientError) {
        guard request.url.hasPrefix("https://") || request.url.hasPrefix("http://") else {
            throw .invalidRequest("the URL must be an absolute http or https URL")
        }
        guard !request.isHTTPSRequired || request.url.hasPrefix("https://") else {
            throw .invalidRequest("the URL must be an https URL")
        }
        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidRequest("the URL must not hold spaces or control characters")
        }
        try handle.set(CURLOPT_URL, request.url)
        try handle.check(kloudcurl_restrict_protocols(handle.raw, request.isHTTPSRequired ? 1 : 0), CURLOPT_URL)
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.set(CURLOPT_FOLLOWLOCATION, 0)
        try handle.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundlePath { try handle.set(CURLOPT_CAINFO, caBundlePath) }
        let timeLeft = self.timeLeft ?? .seconds(86_400)
        try handle.set(
            CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(request.connectTimeout ?? connectTimeout, timeLeft)))
        try handle.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(min(request.timeout ?? timeout, timeLeft)))
        try handle.set(CURLOPT_TCP_KEEPALIVE, 1)
        try handle.set(CURLOPT_USERAGENT, userAgent)
        try handle.set(CURLOPT_ERRORBUFFER, pointer: transfer.errorBufferPointer)

        try handle.check(kloudcurl_set_write_function(handle.raw, CurlTransfer.writeCallback), CURLOPT_WRITEFUNCTION)
        try handle.set(CURLOPT_WRITEDATA, pointer: transfer.opaque)
        try handle.check(kloudcurl_set_header_function(handle.raw, CurlTransfer.headerCallback), CURLOPT_HEADERFUNCTION)
        try handle.set(CURLOPT_HEADERDATA, pointer: transfer.opaque)
        try handle.set(CURLOPT_NOPROGRESS, 0)
        try handle.check(
            kloudcurl_set_progress_function(handle.raw, CurlTransfer.progressCallback), CURLOPT_XFERINFOFUNCTION)
        try handle.set(CURLOPT_XFERINFODATA, pointer: transfer.opaque)

        if let limit = request.maximumResponseBodySize {
            try handle.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(max(0, limit)))
        }
        try applyPinning(to: handle, request: request, resolveList: resolveList, transfer: transfer)
        try applyMethod(to: handle, request: request, transfer: transfer)
        try handle.check(kloudcurl_set_header_list(handle.raw, headerList), CURLOPT_HTTPHEADER)
    }

    /// Keeps a request with ``HTTPRequest/pinnedAddresses`` to those addresses: the host resolves
    /// from the list, a socket to any other address is refused, and no proxy sits in between.
    private func applyPinning(
        to handle: CurlEasyHandle,
        request: HTTPRequest,
        resolveList: UnsafeMutablePointer<curl_slist>?,
        transfer: CurlTransfer
    ) throws(HTTPClientError) {
        guard !request.pinnedAddresses.isEmpty else { return }
        if let resolveList {
            try handle.check(kloudcurl_set_resolve_list(handle.raw, resolveList), CURLOPT_RESOLVE)
        }
        try handle.check(
            kloudcurl_set_opensocket_function(handle.raw, CurlTransfer.openSocketCallback), CURLOPT_OPENSOCKETFUNCTION)
        try handle.set(CURLOPT_OPENSOCKETDATA, pointer: transfer.opaque)
        try handle.set(CURLOPT_PROXY, "")
    }

    private func applyMethod(
        to handle: CurlEasyHandle, request: HTTPRequest, transfer: CurlTransfer
    )
        throws(HTTPClientError)
    {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy(SigV4Encoding.isTokenByte) else {
            throw .invalidRequest("the method must be an HTTP token")
        }
        let hasBody: Bool
        switch request.body {
        case .empty: hasBody = !["GET", "HEAD", "DELETE", "OPTIONS"].contains(method)
        case .bytes, .stream: hasBody = true
        }
        if method == "HEAD" {
            guard case .empty = request.body else { throw .invalidRequest("a HEAD request has no body") }
            try handle.set(CURLOPT_NOBODY, 1)
            return
        }
        if method != "GET" || hasBody {
            try handle.set(CURLOPT_CUSTOMREQUEST, method)
        }
        guard hasBody else { return }
        try handle.set(CURLOPT_UPLOAD, 1)
        try handle.set(CURLOPT_INFILESIZE_LARGE, offset: request.body.length ?? -1)
        try handle.check(kloudcurl_set_read_function(handle.raw, CurlTransfer.readCallback), CURLOPT_READFUNCTION)
        try handle.set(CURLOPT_READDATA, pointer: transfer.opaque)
        try handle.check(kloudcurl_set_seek_function(handle.raw, CurlTransfer.seekCallback), CURLOPT_SEEKFUNCTION)
        try handle.set(CURLOPT_SEEKDATA, pointer: transfer.opaque)
    }

    /// The request's header lines as libcurl takes them, without `Content-Length` and
    /// `Transfer-Encoding` (libcurl derives them from the body) and with `Expect` switched off
    /// (waiting for `100 Continue` costs a round trip on every upload).
    static func headerList(for request: HTTPRequest) throws(HTTPClientError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        var lines: [String] = []
        for field in request.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(SigV4Encoding.isTokenByte) else {
                throw .invalidRequest("a header name must be an HTTP token")
            }
            guard !field.value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
                throw .invalidRequest("a header value must not hold control characters")
            }
            let lowered = field.name.lowercased()
            if lowered == "content-length" || lowered == "transfer-encoding" || lowered == "expect" { continue }
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        lines.append("Expect:")
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw .transferFailed("libcurl could not build the header list")
            }
            list = appended
        }
        return list
    }

    /// The resolve entry (`host:port:address,...`) that answers the request's host from its
    /// ``HTTPRequest/pinnedAddresses``; nil when nothing is pinned or the host is an address
    /// literal, which libcurl never resolves.
    static func resolveList(for request: HTTPRequest) throws(HTTPClientError) -> UnsafeMutablePointer<curl_slist>? {
        guard !request.pinnedAddresses.isEmpty else { return nil }
        let (host, port) = try hostAndPort(of: request.url)
        guard IPAddress(host) == nil else { return nil }
        let addresses = request.pinnedAddresses.map(\.bracketedDescription).joined(separator: ",")
        guard let list = curl_slist_append(nil, "\(host):\(port):\(addresses)") else {
            throw .transferFailed("libcurl could not build the resolve list")
        }
        return list
    }

    /// The host and port libcurl's own URL parser finds in `url`, so the resolve entry names
    /// exactly the host libcurl will look up.
    private static func hostAndPort(of url: String) throws(HTTPClientError) -> (String, String) {
        guard let handle = curl_url() else { throw .transferFailed("libcurl could not create a URL handle") }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else {
            throw .invalidRequest("the URL is not a valid http or https URL")
        }
        guard let host = urlPart(handle, CURLUPART_HOST, flags: 0),
            let port = urlPart(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT))
        else { throw .invalidRequest("the URL has no host") }
        return (host, port)
    }

    private static func urlPart(_ handle: OpaquePointer, _ part: CURLUPart, flags: UInt32) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, part, &text, flags) == CURLUE_OK, let text else { return nil }
        defer { curl_free(text) }
        return String(cString: text)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(max(1, min(duration.wholeMilliseconds, Int64(Int32.max))))
    }
}
