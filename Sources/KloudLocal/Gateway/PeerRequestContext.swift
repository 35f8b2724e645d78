import HTTPTypes
import Hummingbird
import NIOCore

/// A request context that remembers the caller's address, for `requestContext.http.sourceIp`,
/// and the port the request came in on, for the server's own origin.
struct PeerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let sourceIP: String
    let localPort: Int

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        sourceIP = source.channel.remoteAddress?.ipAddress ?? "127.0.0.1"
        localPort = source.channel.localAddress?.port ?? 0
    }
}

extension Request {
    /// The whole body, or nil when it is larger than `limit` bytes. An oversized body is still
    /// read to its end (and dropped), so that the connection stays usable for the answer.
    func collectBody(limit: Int) async throws -> [UInt8]? {
        var bytes: [UInt8] = []
        var isTooLarge = false
        for try await buffer in body {
            if bytes.count + buffer.readableBytes > limit {
                isTooLarge = true
                bytes = []
            }
            if !isTooLarge { bytes.append(contentsOf: buffer.readableBytesView) }
        }
        return isTooLarge ? nil : bytes
    }
}

extension Response {
    /// A response with `status`, header fields in order, and `body`.
    init(status: Int, fields: [(name: String, value: String)], body: [UInt8]) {
        var headers = HTTPFields()
        for (name, value) in fields {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        self.init(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
