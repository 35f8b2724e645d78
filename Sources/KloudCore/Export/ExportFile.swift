#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A temporary file an export is written to piece by piece, so that an account's data never has
/// to fit in memory; removed when closed.
final class ExportFile {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Bytes written so far.
    private(set) var size = 0

    init(folder: String = "/tmp") throws(ExportError) {
        var template = Array("\(folder)/kloudhub-export-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .storageFailed("the export file could not be created") }
        self.descriptor = descriptor
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        buffer.reserveCapacity(Self.flushSize)
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    private static let flushSize = 64 * 1024

    /// Appends text.
    func append(_ text: String) throws(ExportError) {
        buffer.append(contentsOf: text.utf8)
        size += text.utf8.count
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Writes what is buffered to the file.
    func flush() throws(ExportError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .storageFailed("the export file could not be written")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The whole file, for an export small enough to answer directly.
    func contents() throws(ExportError) -> [UInt8] {
        try flush()
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes[offset...].withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress, $0.count, off_t(offset))
            }
            guard count > 0 else { throw .storageFailed("the export file could not be read") }
            offset += count
        }
        return bytes
    }
}

/// Why an export could not be made.
public enum ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The temporary file or the exports bucket failed.
    case storageFailed(String)

    /// A stable snake_case code.
    public var code: String { "export_storage_failed" }

    public var description: String {
        switch self {
        case .storageFailed(let reason): "export storage failed: \(reason)"
        }
    }
}
