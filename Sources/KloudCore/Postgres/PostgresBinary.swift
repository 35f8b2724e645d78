// Helpers for Postgres's binary wire format: big-endian integers and
// length-prefixed values.

/// Reads a binary value from the front, failing as malformed when it runs short.
struct PostgresBinaryReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset == bytes.count }

    mutating func readInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws(PostgresDecodingFailure) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw .malformed }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(bigEndian: value)
    }

    mutating func readBytes(count: Int) throws(PostgresDecodingFailure) -> UnsafeRawBufferPointer {
        guard count >= 0, bytes.count - offset >= count else { throw .malformed }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return slice
    }
}

extension Array where Element == UInt8 {
    /// Appends an integer in network byte order.
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
