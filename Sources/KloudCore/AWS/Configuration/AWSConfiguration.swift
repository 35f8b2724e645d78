import FoundationEssentials

/// How KloudHub reaches AWS, read from the environment the way the AWS SDKs read it.
///
/// - region: `AWS_REGION`, else `AWS_DEFAULT_REGION`;
/// - credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (what
///   Lambda gives a function); absent credentials are allowed, for clients that are given a
///   provider such as ``AssumedRoleCredentialsProvider``;
/// - endpoints: `AWS_ENDPOINT_URL_<SERVICE>` (``AWSService/environmentKey``), else
///   `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`;
/// - attempts: `AWS_MAX_ATTEMPTS` (1 to 10), else the standard mode's 3.
public struct AWSConfiguration: Sendable {
    /// The region every client signs for and, without a custom endpoint, sends to.
    public var region: String
    /// The environment's credentials, if any.
    public var credentials: AWSCredentials?
    /// The endpoint for every service, from `AWS_ENDPOINT_URL`.
    public var endpointURL: AWSEndpoint?
    /// Endpoints of single services, keyed by ``AWSService/environmentKey``.
    public var serviceEndpointURLs: [String: AWSEndpoint]
    /// How failed calls are retried.
    public var retryStrategy: RetryStrategy
    /// The clock signatures are dated by.
    public var now: @Sendable () -> Date

    /// Creates a configuration from its parts.
    public init(
        region: String,
        credentials: AWSCredentials? = nil,
        endpointURL: AWSEndpoint? = nil,
        serviceEndpointURLs: [String: AWSEndpoint] = [:],
        retryStrategy: RetryStrategy = .standard,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.region = region
        self.credentials = credentials
        self.endpointURL = endpointURL
        self.serviceEndpointURLs = serviceEndpointURLs
        self.retryStrategy = retryStrategy
        self.now = now
    }

    /// Reads the configuration from an environment (a tool's, or a test's).
    public init(environment: [String: String]) throws(AWSError) {
        var reader = EnvironmentReader(environment)
        try self.init(reading: &reader)
    }

    /// Reads the configuration from a function's environment.
    public init(reading environment: inout EnvironmentReader) throws(AWSError) {
        guard let region = environment.value("AWS_REGION") ?? environment.value("AWS_DEFAULT_REGION") else {
            throw .invalidConfiguration("no region: set AWS_REGION")
        }
        guard region.utf8.allSatisfy({ SigV4Encoding.isUnreserved($0) && $0 != UInt8(ascii: "~") }) else {
            throw .invalidConfiguration("the region must hold letters, digits and '-' only")
        }
        self.init(region: region)
        credentials = try Self.credentials(from: &environment)

        if environment.value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.lowercased() != "true" {
            endpointURL = try environment.value("AWS_ENDPOINT_URL").map { url throws(AWSError) in
                try AWSEndpoint(url: url)
            }
            let prefix = "AWS_ENDPOINT_URL_"
            for (name, value) in environment.values(withPrefix: prefix) {
                serviceEndpointURLs[String(name.dropFirst(prefix.count))] = try AWSEndpoint(url: value)
            }
        }
        if let attempts = environment.value("AWS_MAX_ATTEMPTS") {
            guard let count = Int(attempts), (1...10).contains(count) else {
                throw .invalidConfiguration("AWS_MAX_ATTEMPTS must be a number from 1 to 10")
            }
            retryStrategy.maxAttempts = count
        }
    }

    private static func credentials(from environment: inout EnvironmentReader) throws(AWSError) -> AWSCredentials? {
        let accessKeyID = environment.value("AWS_ACCESS_KEY_ID")
        let secretAccessKey = environment.value("AWS_SECRET_ACCESS_KEY")
        let sessionToken = environment.value("AWS_SESSION_TOKEN")
        switch (accessKeyID, secretAccessKey) {
        case (nil, nil):
            return nil
        case (let accessKeyID?, let secretAccessKey?):
            return AWSCredentials(
                accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
        default:
            throw .invalidConfiguration("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
        }
    }

    // MARK: - Endpoints

    /// The endpoint for a service and whether it was configured (rather than AWS's own).
    public func endpoint(for service: AWSService) -> (endpoint: AWSEndpoint, isCustom: Bool) {
        if let endpoint = serviceEndpointURLs[service.environmentKey] ?? endpointURL {
            return (endpoint, true)
        }
        return (.standard(for: service, region: region), false)
    }

    /// The region a service's requests are signed for: `us-east-1` for a global service
    /// reached at AWS's own endpoint, the configured region otherwise.
    public func signingRegion(for service: AWSService) -> String {
        service.isGlobal && !endpoint(for: service).isCustom && !region.hasPrefix("cn-") ? "us-east-1" : region
    }
}
