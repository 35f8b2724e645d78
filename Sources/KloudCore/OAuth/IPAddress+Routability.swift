extension IPAddress {
    /// Whether the address can belong to a server on the public internet, which is the only
    /// kind a fetch of a URL from an untrusted source may reach.
    ///
    /// Refused: loopback, private (10/8, 172.16/12, 192.168/16), shared CGNAT (100.64/10),
    /// link-local (169.254/16 with the cloud metadata address, fe80::/10), unique-local
    /// (fc00::/7, with AWS's fd00:ec2::254), unspecified, multicast, broadcast and reserved,
    /// documentation and benchmarking ranges, IETF special-purpose blocks, 6to4 and Teredo; IPv6
    /// outside global unicast (2000::/3). IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96)
    /// addresses are judged by the IPv4 address they carry.
    public var isPubliclyRoutable: Bool {
        if isIPv4 { return Self.isPublicIPv4(bytes) }
        if let carried = carriedIPv4 { return Self.isPublicIPv4(carried) }
        return Self.isPublicIPv6(bytes)
    }

    /// Whether the address is loopback: 127/8, ::1, or an IPv4-mapped 127/8.
    public var isLoopback: Bool {
        if isIPv4 { return bytes[0] == 127 }
        if let mapped = mappedIPv4 { return mapped.bytes[0] == 127 }
        return bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`); nil for any
    /// other address, IPv4 and NAT64 included.
    var mappedIPv4: IPAddress? {
        guard !isIPv4, Self.hasPrefix(bytes, Self.ipv4Mapped, length: 96) else { return nil }
        return IPAddress(bytes: Array(bytes[12...]))
    }

    /// The IPv4 address inside an IPv4-mapped or a well-known NAT64 IPv6 address.
    private var carriedIPv4: [UInt8]? {
        guard !isIPv4 else { return nil }
        guard Self.hasPrefix(bytes, Self.ipv4Mapped, length: 96) || Self.hasPrefix(bytes, Self.nat64, length: 96) else {
            return nil
        }
        return Array(bytes[12...])
    }

    // MARK: - IPv4

    private static func isPublicIPv4(_ bytes: [UInt8]) -> Bool {
        let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return !nonPublicIPv4.contains { prefix, length in value >> (32 - length) == prefix >> (32 - length) }
    }

    private static let nonPublicIPv4: [(prefix: UInt32, length: Int)] = [
        (0x0000_0000, 8),  // "this network", with the unspecified 0.0.0.0
        (0x0A00_0000, 8),  // private
        (0x6440_0000, 10),  // shared address space (CGNAT)
        (0x7F00_0000, 8),  // loopback
        (0xA9FE_0000, 16),  // link-local, with the cloud metadata address 169.254.169.254
        (0xAC10_0000, 12),  // private
        (0xC000_0000, 24),  // IETF protocol assignments
        (0xC000_0200, 24),  // documentation (TEST-NET-1)
        (0xC058_6300, 24),  // 6to4 relay anycast
        (0xC0A8_0000, 16),  // private
        (0xC612_0000, 15),  // benchmarking
        (0xC633_6400, 24),  // documentation (TEST-NET-2)
        (0xCB00_7100, 24),  // documentation (TEST-NET-3)
        (0xE000_0000, 4),  // multicast
        (0xF000_0000, 4),  // reserved, with the broadcast 255.255.255.255
    ]

    // MARK: - IPv6

    private static func isPublicIPv6(_ bytes: [UInt8]) -> Bool {
        guard hasPrefix(bytes, [0x20], length: 3) else { return false }
        return !nonPublicGlobalIPv6.contains { prefix, length in hasPrefix(bytes, prefix, length: length) }
    }

    /// Blocks inside 2000::/3 that are not ordinary global unicast.
    private static let nonPublicGlobalIPv6: [(prefix: [UInt8], length: Int)] = [
        ([0x20, 0x01, 0x00], 23),  // IETF protocol assignments, with Teredo 2001::/32
        ([0x20, 0x01, 0x0D, 0xB8], 32),  // documentation
        ([0x20, 0x02], 16),  // 6to4
        ([0x3F, 0xFF, 0x00], 20),  // documentation
    ]

    private static let ipv4Mapped: [UInt8] = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
    private static let nat64: [UInt8] = [0x00, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8)

    /// Whether the first `length` bits of `bytes` equal those of `prefix`.
    private static func hasPrefix(_ bytes: [UInt8], _ prefix: [UInt8], length: Int) -> Bool {
        for bit in stride(from: 0, to: length, by: 8) {
            let index = bit / 8
            let mask: UInt8 = length - bit >= 8 ? 0xFF : ~(0xFF >> UInt8(length - bit))
            let expected = index < prefix.count ? prefix[index] : 0
            if bytes[index] & mask != expected & mask { return false }
        }
        return true
    }
}
