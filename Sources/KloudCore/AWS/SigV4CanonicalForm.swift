/// The pieces of a canonical request, built straight into UTF-8 bytes.
enum SigV4CanonicalForm {
    // MARK: - Request

    /// Method, path, query, headers, signed headers and payload hash, joined by newlines.
    static func request(
        _ request: SignableRequest,
        headers: Headers,
        payloadHash: String,
        options: SigV4Signer.Options
    ) throws(SigV4Error) -> [UInt8] {
        guard SigV4Encoding.isToken(request.method) else { throw .invalidMethod() }
        var output: [UInt8] = []
        output.reserveCapacity(
            request.method.utf8.count + request.path.utf8.count * 2 + request.queryItems.count * 48
                + headers.lines.count + headers.signedHeaders.utf8.count + payloadHash.utf8.count + 8
        )
        output.append(contentsOf: request.method.utf8)
        output.append(UInt8(ascii: "\n"))
        try appendPath(
            request.path,
            isNormalized: options.isPathNormalized,
            isDoubleEncoded: options.isPathDoubleEncoded,
            to: &output
        )
        output.append(UInt8(ascii: "\n"))
        appendQuery(request.queryItems, to: &output)
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: headers.lines)
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: headers.signedHeaders.utf8)
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: payloadHash.utf8)
        return output
    }

    // MARK: - Query

    /// `name=value` pairs, each side percent-encoded, sorted by encoded name then encoded value,
    /// joined by `&`. Repeated names stay; an empty value still gets its `=`.
    static func appendQuery(_ items: [SignableRequest.QueryItem], to output: inout [UInt8]) {
        guard !items.isEmpty else { return }
        var storage: [UInt8] = []
        storage.reserveCapacity(items.count * 40)
        var pairs: [EncodedPair] = []
        pairs.reserveCapacity(items.count)
        for item in items {
            let nameStart = storage.count
            SigV4Encoding.appendEncoded(item.name, to: &storage)
            let valueStart = storage.count
            SigV4Encoding.appendEncoded(item.value, to: &storage)
            pairs.append(EncodedPair(name: nameStart..<valueStart, value: valueStart..<storage.count))
        }
        storage.withUnsafeBufferPointer { buffer in
            if pairs.count > 1 {
                pairs.sort { lhs, rhs in
                    let byName = compare(buffer, lhs.name, rhs.name)
                    return byName != 0 ? byName < 0 : compare(buffer, lhs.value, rhs.value) < 0
                }
            }
            for (position, pair) in pairs.enumerated() {
                if position > 0 { output.append(UInt8(ascii: "&")) }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[pair.name]))
                output.append(UInt8(ascii: "="))
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[pair.value]))
            }
        }
    }

    private struct EncodedPair {
        var name: Range<Int>
        var value: Range<Int>
    }

    // MARK: - Byte order

    /// Compares two byte ranges as unsigned bytes: negative, zero or positive.
    @inline(__always)
    static func compare(_ buffer: UnsafeBufferPointer<UInt8>, _ lhs: Range<Int>, _ rhs: Range<Int>) -> Int {
        let length = min(lhs.count, rhs.count)
        var offset = 0
        while offset < length {
            let left = buffer[lhs.lowerBound + offset]
            let right = buffer[rhs.lowerBound + offset]
            if left != right { return Int(left) - Int(right) }
            offset += 1
        }
        return lhs.count - rhs.count
    }
}
