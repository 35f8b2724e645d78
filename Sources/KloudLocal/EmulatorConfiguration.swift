import Foundation
import KloudCore

/// Everything the emulator needs to know to run: where the functions are, its ports, and the
/// AWS-like identity it presents.
public struct EmulatorConfiguration: Sendable {
    /// Folders whose subfolders hold `function.json` manifests.
    public var functionFolders: [URL]
    /// Where built function binaries are (`.build/debug`, or a release folder).
    public var binaryFolder: URL
    public var host = "127.0.0.1"
    /// API Gateway's port; 0 takes any free port.
    public var gatewayPort = 3000
    /// The Lambda Invoke API's port; 0 takes any free port.
    public var lambdaPort = 3001
    public var region = "us-east-1"
    public var accountID = "000000000000"
    /// Variables every function gets, besides its manifest's and Lambda's own.
    public var environment: [String: String] = [:]
    /// The connection string for each database role; a function gets its manifest's role's
    /// as `DATABASE_URL`.
    public var databaseURLs: [DatabaseRole: String] = [:]
    /// Instances per function when its manifest reserves no concurrency.
    public var defaultConcurrency = 10
    /// API Gateway's integration timeout (30 seconds at most in AWS).
    public var integrationTimeout: Duration = .seconds(30)
    public var isSchedulerEnabled = true
    /// How many schedule seconds pass per real second; above 1 only in tests.
    public var scheduleSpeedup: Double = 1
    /// Delays before the two retries Lambda makes of a failed asynchronous invoke (AWS waits
    /// about one and two minutes; locally a second and two).
    public var asyncRetryDelays: [Duration] = [.seconds(1), .seconds(2)]
    public var log: EmulatorLog = .standardOutput
    /// The development sign-in's PEM key file, made on first use (the webhook secret is kept
    /// beside it); nil keeps a new key in memory for the emulator's life.
    public var developmentSignInKeyPath: URL?

    public init(functionFolders: [URL], binaryFolder: URL) {
        self.functionFolders = functionFolders
        self.binaryFolder = binaryFolder
    }
}
