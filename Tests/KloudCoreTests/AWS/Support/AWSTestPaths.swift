import Foundation

/// Where the AWS tests find their tools: the package root (found from this file) and
/// `../shared/tools` beside it, as in CI's fresh clone.
enum AWSTestPaths {
    /// moto_server with its SigV4 fixes.
    static var motoServerScript: URL {
        PackagePaths.shared.appendingPathComponent("tools/moto_server_sigv4.py")
    }

    /// The Python with moto: `KLOUDHUB_PYTHON` (the project's venv), else `python3`.
    static var python: String {
        ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    }

    /// A fresh, empty temporary folder.
    static func temporaryFolder(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kloudhub-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// A short unique lowercase name for per-test isolation (buckets, users, keys).
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.lowercased().prefix(12))"
}

/// Errors of the test helpers themselves.
struct TestSupportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
