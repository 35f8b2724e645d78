import Crypto
import Foundation

@testable import KloudCore

/// A deterministic request body of any length, produced chunk by chunk (never held whole),
/// that records the largest chunk it was asked for.
final class PatternBodySource: HTTPBodySource, @unchecked Sendable {
    let length: Int64
    private let lock = NSLock()
    private var offset: Int64 = 0
    private var largestRead = 0

    init(length: Int64) {
        self.length = length
    }

    /// The byte at a position: a pattern that repeats only every 251 × 256 bytes.
    static func byte(at position: Int64) -> UInt8 {
        UInt8(truncatingIfNeeded: position % 251 &+ (position / 251) % 256)
    }

    /// The SHA-256 of the whole body, computed in chunks.
    static func sha256(length: Int64) -> SHA256.Digest {
        var hasher = SHA256()
        var position: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while position < length {
            let count = Int(min(Int64(chunk.count), length - position))
            for index in 0..<count { chunk[index] = byte(at: position + Int64(index)) }
            hasher.update(data: chunk[..<count])
            position += Int64(count)
        }
        return hasher.finalize()
    }

    var largestChunk: Int { lock.withLock { largestRead } }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        lock.withLock {
            let count = Int(min(Int64(buffer.count), length - offset))
            for index in 0..<count { buffer[index] = Self.byte(at: offset + Int64(index)) }
            offset += Int64(count)
            largestRead = max(largestRead, count)
            return count
        }
    }

    func rewind() -> Bool {
        lock.withLock { offset = 0 }
        return true
    }
}

/// A response sink that keeps only a running SHA-256, the byte count and the largest chunk.
final class DigestingSink: HTTPBodySink, @unchecked Sendable {
    private let lock = NSLock()
    private var hasher = SHA256()
    private var total: Int64 = 0
    private var largest = 0

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        lock.withLock {
            hasher.update(bufferPointer: chunk)
            total += Int64(chunk.count)
            largest = max(largest, chunk.count)
        }
    }

    var byteCount: Int64 { lock.withLock { total } }
    var largestChunk: Int { lock.withLock { largest } }
    var digest: SHA256.Digest { lock.withLock { hasher.finalize() } }
}

/// A sink that collects everything (for small bodies).
final class CollectingSink: HTTPBodySink, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [UInt8] = []

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        lock.withLock { collected += chunk }
    }

    var bytes: [UInt8] { lock.withLock { collected } }
}

/// A source that fails after its first chunk.
struct FailingBodySource: HTTPBodySource {
    struct Failure: Error {}

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        throw Failure()
    }

    func rewind() -> Bool { false }
}

/// Records the delays a retry strategy asks for instead of sleeping.
final class RecordingSleeper: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    var delays: [Duration] { lock.withLock { recorded } }

    /// A standard strategy that records its sleeps and always draws `jitter`.
    func strategy(jitter: Double = 0.5, maxAttempts: Int = 3) -> RetryStrategy {
        RetryStrategy(
            maxAttempts: maxAttempts,
            sleep: { [self] delay in lock.withLock { recorded.append(delay) } },
            random: { jitter })
    }
}
