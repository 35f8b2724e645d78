import Crypto
import FoundationEssentials

/// One versioned SQL file of the `migrations/` folder, such as
/// `0002_accounts.sql`: version 2.
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with; migrations run in this order.
    public let version: Int
    /// The file name.
    public let fileName: String
    /// The file's SQL.
    public let sql: String
    /// SHA-256 of the file's bytes, recorded when it is applied.
    public let checksum: [UInt8]

    /// Creates a migration from a file's name and bytes.
    public init(fileName: String, contents: [UInt8]) throws(MigrationError) {
        guard let version = Self.version(ofFileName: fileName) else {
            throw MigrationError(.invalidFileName, migration: fileName)
        }
        self.version = version
        self.fileName = fileName
        self.sql = String(decoding: contents, as: UTF8.self)
        self.checksum = Array(SHA256.hash(data: contents))
    }

    /// Loads every `NNNN_name.sql` file of a folder, ordered by version.
    /// Other files are ignored; two files with one version are refused.
    public static func load(fromDirectory path: String) throws(MigrationError) -> [Migration] {
        let fileManager = FileManager.default
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: path)
        } catch {
            throw MigrationError(.unreadableDirectory, migration: path)
        }
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let contents = fileManager.contents(atPath: path + "/" + name) else {
                throw MigrationError(.unreadableDirectory, migration: name)
            }
            migrations.append(try Migration(fileName: name, contents: Array(contents)))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw MigrationError(.duplicateVersion, migration: later.fileName)
        }
        return migrations
    }

    /// The version of `0012_name.sql` is 12; `nil` unless the name is digits,
    /// an underscore, lowercase letters, digits or underscores, and `.sql`.
    static func version(ofFileName name: String) -> Int? {
        guard name.hasSuffix(".sql") else { return nil }
        let stem = name.dropLast(4)
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let version = Int(parts[0]), version > 0,
            parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            parts[1].allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) })
        else { return nil }
        return version
    }
}
