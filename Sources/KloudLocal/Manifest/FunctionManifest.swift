import Foundation
import KloudCore

/// How one function is wired, read from `functions/NAME/function.json`: the single source of
/// truth that the emulator and Terraform both read (DESIGN.md section 3).
public struct FunctionManifest: Sendable, Equatable {
    /// The function's name: its folder's name.
    public var name: String
    public var description: String
    public var routes: [Route]
    public var schedule: Schedule?
    /// Seconds, 1 to 900.
    public var timeout: Int
    /// Megabytes, 128 to 10240.
    public var memory: Int
    public var reservedConcurrency: Int?
    public var environment: [String: String]
    /// The database role it connects as (DESIGN.md section 6); never the owner.
    public var databaseRole: DatabaseRole?
    public var awsActions: [String]
    /// The KloudHub settings it is given (``Setting``), besides its database role's secret:
    /// infra/ and the emulator give it exactly these.
    public var configuration: [Setting] = []
    /// What each route takes as proof of its caller, by route key.
    public var credentials: [String: Set<CredentialKind>] = [:]
    /// Functions this one may invoke asynchronously.
    public var invokes: [String]
    /// The folder holding the manifest.
    public var folder: URL
    /// Megabytes of /tmp in AWS, 512 to 10240 (deploy's Terraform and providers need more than
    /// the default); the emulator's instances use the machine's temporary folder.
    public var ephemeralStorage: Int? = nil
}
