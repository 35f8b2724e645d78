import Foundation

/// Where the SigV4 tests find their data: AWS's suite in `../shared/testdata/aws-sigv4/`
/// beside the package root, and the botocore script next to this file.
enum SigV4TestPaths {
    /// The folder holding `Package.swift`, found by walking up from this source file, so the
    /// tests work from any checkout location.
    static let packageRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.pathComponents.count > 1 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// AWS's SigV4 test suite, one folder per case.
    static var suiteFolder: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata/aws-sigv4")
    }

    /// The script that signs requests with botocore.
    static var botocoreScript: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("botocore_sigv4.py")
    }
}
