import CLibCurl

extension HTTPClientError {
    /// The error for a libcurl result, with libcurl's message kept for `debugDescription`.
    init(curlCode: CURLcode, message: String) {
        let detail = message.isEmpty ? String(cString: curl_easy_strerror(curlCode)) : message
        let number = Int(curlCode.rawValue)
        let (code, summary) = Self.classify(curlCode)
        self.init(code: code, summary: summary, curlCode: number, detail: detail)
    }

    private static func classify(_ code: CURLcode) -> (Code, String) {
        switch code {
        case CURLE_URL_MALFORMAT:
            (.invalidRequest, "the URL is not a valid http or https URL")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            (.connectionFailed, "the host name did not resolve")
        case CURLE_COULDNT_CONNECT:
            (.connectionFailed, "the connection was refused or could not be made")
        case CURLE_OPERATION_TIMEDOUT:
            (.timedOut, "the request timed out")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_SHUTDOWN_FAILED:
            (.tlsFailed, "the TLS connection could not be established or verified")
        case CURLE_PARTIAL_FILE:
            (.truncatedResponse, "the response ended before its announced length")
        case CURLE_GOT_NOTHING:
            (.connectionLost, "the server closed the connection without answering")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            (.connectionLost, "the connection broke during the exchange")
        case CURLE_SEND_FAIL_REWIND:
            (.requestBodyFailed, "the request body could not be sent again on a new connection")
        // libcurl reports a reply that is not HTTP/1.x (HTTP/0.9 is off) as an unsupported protocol;
        // the URL itself was checked to be http or https before the transfer.
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            (.invalidResponse, "the server's answer is not valid HTTP")
        case CURLE_FILESIZE_EXCEEDED:
            (.responseTooLarge, "the response body is larger than the request accepts")
        case CURLE_ABORTED_BY_CALLBACK:
            (.cancelled, "the request was cancelled")
        case CURLE_READ_ERROR:
            (.requestBodyFailed, "the request body could not be read")
        case CURLE_WRITE_ERROR:
            (.responseSinkFailed, "the response body could not be stored")
        default:
            (.transferFailed, "the HTTP transfer failed")
        }
    }
}
