#ifndef KLOUDHUB_CLIBCURL_SHIM_H
#define KLOUDHUB_CLIBCURL_SHIM_H

// libcurl's curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
// These typed wrappers give Swift one entry point per argument type.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

static inline CURLcode kloudcurl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_ALL);
}

static inline CURLcode kloudcurl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kloudcurl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kloudcurl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kloudcurl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode kloudcurl_set_header_list(CURL *handle, struct curl_slist *list) {
    return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list);
}

static inline CURLcode kloudcurl_set_write_function(CURL *handle, curl_write_callback function) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}

static inline CURLcode kloudcurl_set_header_function(CURL *handle, curl_write_callback function) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, function);
}

static inline CURLcode kloudcurl_set_read_function(CURL *handle, curl_read_callback function) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, function);
}

static inline CURLcode kloudcurl_set_seek_function(CURL *handle, curl_seek_callback function) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, function);
}

static inline CURLcode kloudcurl_set_progress_function(CURL *handle, curl_xferinfo_callback function) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
}

// Only http and https (or https alone), for the transfer and for any redirect (redirects are not
// followed).
static inline CURLcode kloudcurl_restrict_protocols(CURL *handle, int https_only) {
#if LIBCURL_VERSION_NUM >= 0x075500
    const char *protocols = https_only ? "https" : "http,https";
    CURLcode code = curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, protocols);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
#else
    long protocols = https_only ? (long)CURLPROTO_HTTPS : (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS);
    CURLcode code = curl_easy_setopt(handle, CURLOPT_PROTOCOLS, protocols);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS, protocols);
#endif
}

// Host names answered from this list ("host:port:address[,address]") instead of DNS.
static inline CURLcode kloudcurl_set_resolve_list(CURL *handle, struct curl_slist *list) {
    return curl_easy_setopt(handle, CURLOPT_RESOLVE, list);
}

static inline CURLcode kloudcurl_set_opensocket_function(CURL *handle, curl_opensocket_callback function) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, function);
}

static inline CURLcode kloudcurl_response_code(CURL *handle, long *code) {
    return curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code);
}

static inline CURLcode kloudcurl_connect_count(CURL *handle, long *count) {
    return curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, count);
}

static const size_t kloudcurl_read_abort = CURL_READFUNC_ABORT;
static const int kloudcurl_seek_ok = CURL_SEEKFUNC_OK;
static const int kloudcurl_seek_cannot_seek = CURL_SEEKFUNC_CANTSEEK;
static const curl_socket_t kloudcurl_socket_bad = CURL_SOCKET_BAD;

#endif
