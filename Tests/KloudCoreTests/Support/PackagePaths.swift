import Foundation

/// The package's root and the `shared/` folder beside it, as in a developer's checkout and in
/// CI's fresh clone.
enum PackagePaths {
    /// The folder holding `Package.swift`, found by walking up from this source file, so the
    /// tests work from any checkout location.
    static let root: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.pathComponents.count > 1 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// `../shared`, beside the package root.
    static var shared: URL { root.deletingLastPathComponent().appendingPathComponent("shared") }
}
