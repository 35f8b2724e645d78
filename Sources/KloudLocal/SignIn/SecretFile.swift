import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small file holding a secret: read when present, otherwise made once with mode 0600.
///
/// A new file is written under a temporary name and linked into place, so a reader never sees
/// it half written and two processes making it at once agree on the first one's content.
enum SecretFile {
    /// The text of `file`, which `make` provides (and which is written) when there is none;
    /// a file that is there but cannot be read is an error of `unreadable` kind.
    static func contents(
        of file: URL, unreadable: DevelopmentSignInError.Kind, orMake make: () throws -> String
    ) throws -> String {
        if let existing = try read(file, unreadable: unreadable) { return existing }
        let made = try make()
        let folder = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = folder.appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        try create(temporary, holding: made)
        defer { unlink(temporary.path) }
        guard link(temporary.path, file.path) == 0 else {
            let reason = errno
            if reason == EEXIST, let existing = try read(file, unreadable: unreadable) { return existing }
            throw DevelopmentSignInError(.fileNotWritten, detail: "\(file.path): \(String(cString: strerror(reason)))")
        }
        return made
    }

    private static func read(_ file: URL, unreadable: DevelopmentSignInError.Kind) throws -> String? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw DevelopmentSignInError(unreadable, detail: "\(file.path) cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `text` to a new file that only its owner may read (the umask can only narrow 0600).
    private static func create(_ file: URL, holding text: String) throws {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure(file) }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure(file) }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else { throw failure(file) }
    }

    private static func failure(_ file: URL) -> DevelopmentSignInError {
        DevelopmentSignInError(.fileNotWritten, detail: "\(file.path): \(String(cString: strerror(errno)))")
    }
}
