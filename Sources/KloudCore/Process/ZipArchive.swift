import CZlib
import FoundationEssentials
import Glibc

/// Reads files out of a zip archive (stored or deflated entries): how deploy unpacks the
/// terraform binary that its Lambda layer carries zipped, so that Terraform and its providers
/// fit Lambda's 250 MB limit.
public struct ZipArchive: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private let bytes: [UInt8]

    public init(path: String) throws {
        guard let handle = fopen(path, "rb") else { throw Failure(description: "\(path) cannot be read") }
        defer { fclose(handle) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count == 0 { break }
            contents += buffer[..<count]
        }
        bytes = contents
    }

    /// The contents of the entry named `name`.
    public func contents(of name: String) throws -> [UInt8] {
        // The end-of-central-directory record is in the last 65,557 bytes.
        guard bytes.count >= 22,
            let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 65_557), by: -1).first(where: {
                integer($0, 4) == 0x0605_4b50
            })
        else { throw Failure(description: "not a zip archive") }
        var entry = Int(integer(end + 16, 4))
        for _ in 0..<integer(end + 10, 2) {
            guard entry + 46 <= bytes.count, integer(entry, 4) == 0x0201_4b50 else { break }
            let nameLength = Int(integer(entry + 28, 2))
            let entryName = String(decoding: bytes[(entry + 46)..<(entry + 46 + nameLength)], as: UTF8.self)
            if entryName == name {
                return try extract(
                    method: integer(entry + 10, 2), compressedSize: Int(integer(entry + 20, 4)),
                    size: Int(integer(entry + 24, 4)), localHeader: Int(integer(entry + 42, 4)))
            }
            entry += 46 + nameLength + Int(integer(entry + 30, 2)) + Int(integer(entry + 32, 2))
        }
        throw Failure(description: "\(name) is not in the archive")
    }

    /// Writes entry `name` to `path` with `mode`, through a temporary file renamed into place.
    public func extract(_ name: String, to path: String, mode: mode_t) throws {
        let data = try contents(of: name)
        let temporary = path + ".partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(description: "\(temporary) cannot be written") }
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else {
                close(descriptor)
                throw Failure(description: "\(temporary) cannot be written")
            }
            offset += written
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw Failure(description: "\(path) cannot be written") }
    }

    private func extract(method: UInt32, compressedSize: Int, size: Int, localHeader: Int) throws -> [UInt8] {
        guard localHeader + 30 <= bytes.count, integer(localHeader, 4) == 0x0403_4b50 else {
            throw Failure(description: "a damaged entry")
        }
        let start = localHeader + 30 + Int(integer(localHeader + 26, 2)) + Int(integer(localHeader + 28, 2))
        guard start + compressedSize <= bytes.count else { throw Failure(description: "a truncated entry") }
        switch method {
        case 0:
            return Array(bytes[start..<(start + compressedSize)])
        case 8:
            return try inflate(bytes[start..<(start + compressedSize)], size: size)
        default:
            throw Failure(description: "compression method \(method) is not supported")
        }
    }

    private func inflate(_ input: ArraySlice<UInt8>, size: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        var stream = z_stream()
        guard czlib_inflate_init_raw(&stream) == Z_OK else { throw Failure(description: "zlib cannot start") }
        defer { inflateEnd(&stream) }
        var input = Array(input)
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw Failure(description: "a damaged deflated entry")
        }
        return output
    }

    private func integer(_ offset: Int, _ width: Int) -> UInt32 {
        (0..<width).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
