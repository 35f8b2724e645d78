import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request body read from a file, such as a Terraform state or log under `/tmp`.
public final class FileBodySource: HTTPBodySource {
    private let descriptor: Int32
    /// The file's size when it was opened: the body's length.
    public let length: Int64

    /// Opens the file for reading.
    public init(path: String) throws(HTTPClientError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .requestBodyFailed("the body file could not be opened") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw .requestBodyFailed("the body file could not be examined")
        }
        self.descriptor = descriptor
        length = Int64(status.st_size)
    }

    deinit {
        close(descriptor)
    }

    /// Reads the next bytes of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = readBytes(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw HTTPClientError.requestBodyFailed("the body file could not be read") }
        }
    }

    /// Moves back to the start of the file.
    public func rewind() -> Bool {
        lseek(descriptor, 0, SEEK_SET) == 0
    }
}

/// A response body written to a file as it arrives.
public final class FileBodySink: HTTPBodySink {
    private let descriptor: Int32
    private let written = Atomic<Int64>(0)

    /// Creates (or truncates) the file, readable and writable by its owner only.
    public init(path: String) throws(HTTPClientError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .responseSinkFailed(underlying: nil) }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// How many bytes have been written so far.
    public var byteCount: Int64 { written.load(ordering: .relaxed) }

    /// Appends the chunk to the file.
    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < chunk.count {
            let count = writeBytes(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw HTTPClientError.responseSinkFailed(underlying: nil)
            }
            offset += count
        }
        written.add(Int64(chunk.count), ordering: .relaxed)
    }
}

// The classes' own `read` and `write` hide the C functions inside them.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func writeBytes(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
