import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plaintext secret bytes (a data key, a decrypted credential) in memory of their own that is
/// zeroed when the last reference goes away.
///
/// The bytes are reachable only inside ``withUnsafeBytes(_:)``; printing shows the length
/// only. Copying them out (into a `String` to sign with, say) makes a copy this type cannot
/// wipe, so callers keep such copies short-lived.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let storage: UnsafeMutableRawBufferPointer
    /// How many bytes are held.
    public let count: Int

    /// Allocates `capacity` zeroed bytes and lets `initialize` fill them, returning how many it
    /// wrote; if it throws, the memory is wiped and released.
    public init(
        capacity: Int,
        initializingWith initialize: (UnsafeMutableRawBufferPointer) throws -> Int
    ) rethrows {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            let written = try initialize(UnsafeMutableRawBufferPointer(rebasing: storage[..<capacity]))
            count = min(max(written, 0), capacity)
        } catch {
            Self.wipe(storage)
            storage.deallocate()
            throw error
        }
    }

    /// Takes the bytes of an array and zeroes the array.
    public convenience init(wiping bytes: inout [UInt8]) {
        let count = bytes.count
        self.init(capacity: count) { buffer in
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return count
        }
        Self.wipe(&bytes)
    }

    /// Copies the UTF-8 bytes of a string (which itself cannot be wiped).
    public convenience init(copying text: String) {
        var bytes = Array(text.utf8)
        self.init(wiping: &bytes)
    }

    deinit {
        Self.wipe(storage)
        storage.deallocate()
    }

    /// Calls `body` with the bytes; they must not escape it.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[..<count]))
    }

    /// Whether two secrets hold the same bytes, compared in constant time.
    public func isEqual(to other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { lhs in
            other.withUnsafeBytes { rhs in
                var difference: UInt8 = 0
                for index in 0..<lhs.count { difference |= lhs[index] ^ rhs[index] }
                return difference == 0
            }
        }
    }

    /// The length only.
    public var description: String { "SecretBytes(<redacted>, \(count) bytes)" }

    /// The same as `description`.
    public var debugDescription: String { description }

    // MARK: - Wiping

    /// Zeroes memory in a way the optimizer cannot remove.
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        #if canImport(Darwin)
            _ = memset_s(base, buffer.count, 0, buffer.count)
        #else
            explicit_bzero(base, buffer.count)
        #endif
    }

    /// Zeroes an array's bytes in place.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }

    /// Zeroes a `Data`'s bytes in place.
    public static func wipe(_ data: inout Data) {
        data.withUnsafeMutableBytes { wipe($0) }
    }
}
