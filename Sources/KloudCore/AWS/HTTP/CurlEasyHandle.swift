import CLibCurl

/// One libcurl easy handle, which keeps its connections open between transfers.
///
/// A handle is used by one transfer at a time: ``HTTPClient`` lends it out of its pool and
/// takes it back, which is what makes the unchecked `Sendable` sound.
final class CurlEasyHandle: @unchecked Sendable {
    /// libcurl's global state, initialized once before the first handle.
    private static let globalInitialization: CURLcode = kloudcurl_global_init()

    let raw: UnsafeMutableRawPointer

    init() throws(HTTPClientError) {
        guard Self.globalInitialization == CURLE_OK else {
            throw .transferFailed("libcurl could not initialize", curlCode: Int(Self.globalInitialization.rawValue))
        }
        guard let raw = curl_easy_init() else { throw .transferFailed("libcurl could not create a handle") }
        self.raw = raw
    }

    deinit {
        curl_easy_cleanup(raw)
    }

    /// Clears every option set for the last transfer; open connections stay in the handle.
    func reset() {
        curl_easy_reset(raw)
    }

    func set(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(kloudcurl_set_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(HTTPClientError) {
        try check(kloudcurl_set_offset(raw, option, curl_off_t(value)), option)
    }

    /// Sets a text option; libcurl copies the string.
    func set(_ option: CURLoption, _ value: String) throws(HTTPClientError) {
        guard !value.utf8.contains(0) else { throw .invalidRequest("an option holds a NUL byte") }
        try check(kloudcurl_set_string(raw, option, value), option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(HTTPClientError) {
        try check(kloudcurl_set_pointer(raw, option, value), option)
    }

    func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw .transferFailed("libcurl refused option \(option.rawValue)", curlCode: Int(code.rawValue))
        }
    }

    /// The status code of the last response received on this handle.
    var responseCode: Int {
        var code = 0
        _ = kloudcurl_response_code(raw, &code)
        return code
    }

    /// How many new connections the last transfer opened (0 when it reused one).
    var newConnectionCount: Int {
        var count = 0
        _ = kloudcurl_connect_count(raw, &count)
        return count
    }
}
