import Foundation

/// Where `initdb` and `postgres` are.
struct PostgresBinaries: Sendable {
    let initdb: String
    let postgres: String

    /// Looks in `directory` if given; otherwise in PATH, then in the newest
    /// `/usr/lib/postgresql/<version>/bin` (Debian's layout, not on PATH there).
    static func locate(in directory: String?) throws -> PostgresBinaries {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let directory {
            candidates = [directory]
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            candidates = path.split(separator: ":").map(String.init)
            let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
            candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        }
        for folder in candidates {
            let initdb = folder + "/initdb"
            let postgres = folder + "/postgres"
            if fileManager.isExecutableFile(atPath: initdb), fileManager.isExecutableFile(atPath: postgres) {
                return PostgresBinaries(initdb: initdb, postgres: postgres)
            }
        }
        throw EmbeddedPostgresError(.binariesNotFound, detail: candidates.joined(separator: ":"))
    }
}
