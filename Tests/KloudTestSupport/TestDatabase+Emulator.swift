import KloudCore
import KloudLocal

extension TestDatabase {
    /// Points `configuration`'s functions at this database and at `aws` as infra/ points them
    /// at AWS: the roles' connection strings stored as secrets of this database's own
    /// installation, each function with its own role.
    public func deploy(_ configuration: inout EmulatorConfiguration, on aws: LocalAWS) async throws {
        var urls: [DatabaseRole: String] = [:]
        for role in [DatabaseRole.api, .worker, .maintenance] { urls[role] = connectionString(for: role) }
        try await configuration.deploy(on: aws, databaseURLs: urls, installation: name)
    }
}
