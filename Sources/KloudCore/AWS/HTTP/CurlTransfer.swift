import CLibCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One request/response exchange run by libcurl on the calling thread.
///
/// libcurl calls back into the transfer (through the opaque pointer given with each callback)
/// to read the request body, and to hand over header lines and body chunks. Everything but the
/// cancellation flag is touched only by the thread that runs ``perform(on:)``, and read after it
/// returns, which is what makes the unchecked `Sendable` sound.
final class CurlTransfer: @unchecked Sendable {
    struct Limits {
        var maximumBufferedBodySize: Int
        var maximumErrorBodySize: Int
        /// The request's own limit on any body, streamed or buffered.
        var maximumResponseBodySize: Int?
    }

    private let request: HTTPRequest
    private let sink: (any HTTPBodySink)?
    private let limits: Limits
    private let isCancelled = Atomic<Bool>(false)
    private let pinnedAddresses: Set<IPAddress>

    private var uploadOffset = 0
    private var uploadedCount: Int64 = 0
    private var status = 0
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var receivedBodyCount = 0
    private var refusedConnectionCount = 0
    private var failure: HTTPClientError?
    private var handle: UnsafeMutableRawPointer?
    /// How many connections the transfer opened (0 when it reused a kept one).
    private(set) var newConnectionCount = 0
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(request: HTTPRequest, sink: (any HTTPBodySink)?, limits: Limits) {
        self.request = request
        self.sink = sink
        self.limits = limits
        self.pinnedAddresses = Set(request.pinnedAddresses)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
    }

    /// Makes the running transfer stop at libcurl's next progress check.
    func cancel() {
        isCancelled.store(true, ordering: .relaxed)
    }

    // MARK: - Running

    /// Runs the exchange on `handle`, blocking the calling thread until it ends.
    func perform(on handle: CurlEasyHandle, options: CurlTransferOptions) -> Result<HTTPResponse, HTTPClientError> {
        handle.reset()
        self.handle = handle.raw
        defer {
            handle.reset()
            self.handle = nil
        }
        var headerList: UnsafeMutablePointer<curl_slist>?
        var resolveList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            curl_slist_free_all(resolveList)
        }
        do {
            headerList = try CurlTransferOptions.headerList(for: request)
            resolveList = try CurlTransferOptions.resolveList(for: request)
            try options.apply(
                to: handle, request: request, headerList: headerList, resolveList: resolveList, transfer: self)
        } catch {
            return .failure(error)
        }
        let code = curl_easy_perform(handle.raw)
        newConnectionCount = handle.newConnectionCount
        if isCancelled.load(ordering: .relaxed) { return .failure(.cancelled()) }
        if let failure { return .failure(failure) }
        if code == CURLE_FILESIZE_EXCEEDED, let limit = limits.maximumResponseBodySize {
            return .failure(.responseTooLarge(limit: limit))
        }
        if code == CURLE_COULDNT_CONNECT, refusedConnectionCount > 0 { return .failure(.addressNotAllowed()) }
        guard code == CURLE_OK else {
            return .failure(HTTPClientError(curlCode: code, message: String(cString: errorBuffer)))
        }
        // Hand the body over rather than share it, so a caller that wipes it wipes the only copy.
        let response = HTTPResponse(status: handle.responseCode, headers: headers, body: body)
        body = []
        return .success(response)
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
    var errorBufferPointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(errorBuffer) }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> CurlTransfer? {
        pointer.map { Unmanaged<CurlTransfer>.fromOpaque($0).takeUnretainedValue() }
    }

    // MARK: - Callbacks

    /// Takes one header line; a status line starts a new response (after `100 Continue`).
    fileprivate func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var text = String(decoding: line, as: UTF8.self)
        while let last = text.last, last == "\r" || last == "\n" { text.removeLast() }
        if text.hasPrefix("HTTP/") {
            headers = HTTPHeaders()
            status = 0
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = String(text[..<colon])
        let value = text[text.index(after: colon)...].trimmingASCIIWhitespace()
        headers.add(name: name, value: value)
    }

    /// Takes one body chunk; returns the count taken, anything else stops the transfer.
    fileprivate func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        if status == 0, let handle {
            _ = kloudcurl_response_code(handle, &status)
        }
        receivedBodyCount += chunk.count
        if let limit = limits.maximumResponseBodySize, receivedBodyCount > limit {
            failure = .responseTooLarge(limit: limit)
            return 0
        }
        if let sink, (200..<300).contains(status) {
            do {
                try sink.write(chunk)
            } catch {
                failure = .responseSinkFailed(underlying: error)
                return 0
            }
            return chunk.count
        }
        let limit = sink == nil ? limits.maximumBufferedBodySize : limits.maximumErrorBodySize
        guard body.count + chunk.count <= limit else {
            failure = .responseTooLarge(limit: limit)
            return 0
        }
        body.append(contentsOf: chunk)
        return chunk.count
    }

    /// Fills `buffer` with the next request body bytes; 0 at the end.
    fileprivate func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        switch request.body {
        case .empty:
            return 0
        case .bytes(let bytes):
            let count = min(buffer.count, bytes.count - uploadOffset)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploadOffset..<uploadOffset + count]))
            }
            uploadOffset += count
            return count
        case .stream(let source, let length):
            var window = buffer
            if let length {
                let remaining = length - uploadedCount
                guard remaining > 0 else { return 0 }
                if remaining < Int64(buffer.count) {
                    window = UnsafeMutableRawBufferPointer(rebasing: buffer[..<Int(remaining)])
                }
            }
            do {
                let count = try source.read(into: window)
                guard count >= 0, count <= window.count else {
                    failure = .requestBodyFailed("the body source reported an impossible byte count")
                    return kloudcurl_read_abort
                }
                if count == 0, let length, uploadedCount < length {
                    failure = .requestBodyFailed("the body source ended before its announced length")
                    return kloudcurl_read_abort
                }
                uploadedCount += Int64(count)
                return count
            } catch {
                failure = .requestBodyFailed("the body source failed", underlying: error)
                return kloudcurl_read_abort
            }
        }
    }

    /// Starts the request body again, as libcurl asks when it resends on a fresh connection.
    fileprivate func rewindBody(offset: Int64, origin: Int32) -> Int32 {
        guard offset == 0, origin == SEEK_SET, request.body.rewind() else { return Int32(kloudcurl_seek_cannot_seek) }
        uploadOffset = 0
        uploadedCount = 0
        return Int32(kloudcurl_seek_ok)
    }

    fileprivate var shouldAbort: Bool { isCancelled.load(ordering: .relaxed) }

    /// Opens a socket for a connection to `address` if it is one of the pinned addresses.
    fileprivate func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        let socketAddress =
            UnsafeRawPointer(address) + MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
        guard let target = IPAddress(socketAddress: socketAddress), pinnedAddresses.contains(target) else {
            refusedConnectionCount += 1
            return kloudcurl_socket_bad
        }
        return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
    }
}

// MARK: - C callbacks

extension CurlTransfer {
    static let writeCallback: curl_write_callback = { pointer, size, count, userdata in
        guard let transfer = CurlTransfer.from(userdata) else { return 0 }
        return transfer.receiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
    }

    static let headerCallback: curl_write_callback = { pointer, size, count, userdata in
        guard let transfer = CurlTransfer.from(userdata) else { return 0 }
        transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
        return size * count
    }

    static let readCallback: curl_read_callback = { pointer, size, count, userdata in
        guard let transfer = CurlTransfer.from(userdata), let pointer else { return kloudcurl_read_abort }
        return transfer.sendBody(into: UnsafeMutableRawBufferPointer(start: pointer, count: size * count))
    }

    static let seekCallback: curl_seek_callback = { userdata, offset, origin in
        guard let transfer = CurlTransfer.from(userdata) else { return Int32(kloudcurl_seek_cannot_seek) }
        return transfer.rewindBody(offset: Int64(offset), origin: origin)
    }

    static let openSocketCallback: curl_opensocket_callback = { userdata, _, address in
        guard let transfer = CurlTransfer.from(userdata), let address else { return kloudcurl_socket_bad }
        return transfer.openSocket(address)
    }

    static let progressCallback: curl_xferinfo_callback = { userdata, _, _, _, _ in
        guard let transfer = CurlTransfer.from(userdata) else { return 1 }
        return transfer.shouldAbort ? 1 : 0
    }
}
