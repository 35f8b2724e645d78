#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, held as the bytes that go on the wire.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The 4 (IPv4) or 16 (IPv6) bytes, in network order.
    public let bytes: [UInt8]

    /// Parses a numeric address: dotted-decimal IPv4 (`192.0.2.1`, four parts, no leading
    /// zeros) or IPv6 (`2001:db8::1`, also in brackets); nil for anything else, host names included.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = String(text.dropFirst().dropLast())
            guard text.contains(":") else { return nil }
        }
        let family = text.contains(":") ? AF_INET6 : AF_INET
        var buffer = [UInt8](repeating: 0, count: family == AF_INET6 ? 16 : 4)
        let result = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        guard result == 1 else { return nil }
        bytes = buffer
    }

    /// Wraps 4 or 16 address bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Reads the address of a `sockaddr_in` or `sockaddr_in6`; nil for other families.
    init?(socketAddress pointer: UnsafeRawPointer) {
        switch Int32(pointer.load(as: sockaddr.self).sa_family) {
        case AF_INET:
            let address = pointer.loadUnaligned(as: sockaddr_in.self).sin_addr
            bytes = withUnsafeBytes(of: address) { Array($0) }
        case AF_INET6:
            let address = pointer.loadUnaligned(as: sockaddr_in6.self).sin6_addr
            bytes = withUnsafeBytes(of: address) { Array($0) }
        default:
            return nil
        }
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The usual text form: `192.0.2.1`, `2001:db8::1`.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { source in
            inet_ntop(family, source.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The form a URL authority or a libcurl resolve entry takes: IPv6 in brackets.
    var bracketedDescription: String { isIPv4 ? description : "[\(description)]" }
}
