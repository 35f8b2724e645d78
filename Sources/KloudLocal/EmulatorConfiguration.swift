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
    /// The values of KloudHub's settings; each function gets those its manifest lists, as
    /// infra/ gives them. The emulator sets the public URL and Clerk's (its development
    /// sign-in's) unless they are given here.
    public var settings: [Setting: String] = [:]
    /// The secret holding each database role's connection string; a function gets its
    /// manifest's role's as `KLOUDHUB_DATABASE_SECRET_ARN`.
    public var databaseSecrets: [DatabaseRole: String] = [:]
    /// Where the functions reach AWS: `AWS_ENDPOINT_URL`, `AWS_CA_BUNDLE` and the like, as the
    /// SDKs read them (the local AWS's; in AWS, none).
    public var awsEnvironment: [String: String] = [:]
    /// Each function's AWS credentials, as Lambda gives it its role's; ``sharedCredentials`` for
    /// a function not named here.
    public var functionCredentials: [String: AWSCredentials] = [:]
    public var sharedCredentials: AWSCredentials?
    /// Development switches every function gets (tests and benchmarks only).
    public var developmentSwitches: [DevelopmentSwitch: String] = [:]
    /// Variables of the test-only functions (`Tests/Fixtures/functions`), which every function
    /// gets; KloudHub's own functions take settings, never these.
    public var testEnvironment: [String: String] = [:]
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

    /// Points the functions at `aws` as infra/ points them at AWS: its endpoint, its settings
    /// (KMS key, buckets, notification sender), each function's own role, and the database
    /// roles' connection strings stored as secrets of `installation` there.
    public mutating func deploy(
        on aws: LocalAWS, databaseURLs: [DatabaseRole: String], installation: String
    ) async throws {
        var manifests: [FunctionManifest] = []
        for folder in functionFolders { manifests += try ManifestLoader.loadAll(in: folder) }
        let deployment = try await aws.deploy(
            functions: manifests, databaseURLs: databaseURLs, installation: installation)
        awsEnvironment["AWS_ENDPOINT_URL"] = aws.endpoint.absoluteString
        settings.merge(aws.settings) { given, _ in given }
        databaseSecrets = deployment.databaseSecrets
        functionCredentials = deployment.functionCredentials
    }
}
