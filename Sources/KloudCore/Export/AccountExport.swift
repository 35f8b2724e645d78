import FoundationEssentials

/// The export of everything KloudHub holds about an account, as one JSON document (PP-rights):
/// the account, its cloud accounts without secrets, its keys' metadata, Klouds and their files,
/// deployments with their logs' locations, scans, resources, findings, analyses, shells,
/// notifications and its request log. Written page by page to a temporary file, so memory stays
/// flat however large the account; small documents are answered directly, large ones are put
/// in the exports bucket under the account's prefix and reached by a presigned URL.
public struct AccountExport: Sendable {
    /// The export format's name and version, first in every document.
    public static let format = "kloudhub-export/1"

    /// How a finished export is handed over.
    public enum Delivery: Sendable, Equatable {
        /// The document itself.
        case inline([UInt8])
        /// A presigned URL to the document in the exports bucket, valid until `expiresAt`.
        case download(url: String, expiresAt: Date, sizeBytes: Int)
    }

    /// The maintenance role's client.
    public let database: PostgresClient
    /// The exports bucket; nil answers every export inline.
    public let storage: AccountStorage?
    /// Documents larger than this go through the exports bucket.
    public var inlineLimit: Int
    /// How long a download URL works.
    public var downloadLifetime: Int
    /// Rows per query.
    public var pageSize: Int
    private let now: @Sendable () -> Date

    /// Creates an exporter; `now` dates the document and its download URL.
    public init(
        database: PostgresClient, storage: AccountStorage?, inlineLimit: Int = 4 * 1024 * 1024,
        downloadLifetime: Int = 900, pageSize: Int = 1000, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.storage = storage
        self.inlineLimit = inlineLimit
        self.downloadLifetime = downloadLifetime
        self.pageSize = pageSize
        self.now = now
    }

    /// Exports the account; nil if it does not exist.
    public func export(accountID: UUID) async throws -> Delivery? {
        let file = try ExportFile()
        guard try write(accountID, to: file) else { return nil }
        try file.flush()
        guard file.size > inlineLimit, let storage, let bucket = storage.buckets["exports"] else {
            return .inline(try file.contents())
        }
        let time = now()
        let key =
            AccountStorage.prefix(for: accountID)
            + "exports/\(Int(time.timeIntervalSince1970))-\(UUID().uuidString.lowercased()).json"
        let source: FileBodySource
        do {
            source = try FileBodySource(path: file.path)
        } catch {
            throw ExportError.storageFailed("the export file could not be opened")
        }
        try await storage.s3.putObject(
            bucket: bucket, key: key, source: source, length: source.length, contentType: "application/json")
        let url = try await storage.s3.presignedGetObjectURL(bucket: bucket, key: key, expiresIn: downloadLifetime)
        return .download(url: url, expiresAt: time.addingTimeInterval(Double(downloadLifetime)), sizeBytes: file.size)
    }

    /// Writes the document; false if the account does not exist.
    private func write(_ accountID: UUID, to file: ExportFile) throws -> Bool {
        guard let account = try database.query(ExportSection.account(accountID)).first?.decode(String.self) else {
            return false
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let exportedAt = String(decoding: try encoder.encode(now()), as: UTF8.self)
        try file.append("{\"format\":\"\(Self.format)\",\"exportedAt\":\(exportedAt)")
        try file.append(",\"account\":\(account)")
        for section in ExportSection.all {
            try file.append(",\"\(section.name)\":[")
            var after: UUID?
            var isFirst = true
            while true {
                let rows = try database.query(section.page(account: accountID, after: after, limit: pageSize))
                for row in rows {
                    let (id, json) = try row.decode((UUID, String).self)
                    try file.append(isFirst ? json : "," + json)
                    isFirst = false
                    after = id
                }
                if rows.count < pageSize { break }
            }
            try file.append("]")
        }
        try file.append("}")
        return true
    }
}
