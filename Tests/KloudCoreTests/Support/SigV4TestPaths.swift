import Foundation

/// Where the SigV4 tests find their data: AWS's suite in `../shared/testdata/aws-sigv4/`
/// beside the package root, and the botocore script next to this file.
enum SigV4TestPaths {
    /// AWS's SigV4 test suite, one folder per case.
    static var suiteFolder: URL {
        PackagePaths.shared.appendingPathComponent("testdata/aws-sigv4")
    }

    /// The script that signs requests with botocore.
    static var botocoreScript: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("botocore_sigv4.py")
    }
}
