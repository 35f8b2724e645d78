/// Something that hands out credentials for signing, such as the environment's keys or a role
/// assumed through STS.
public protocol AWSCredentialsProvider: Sendable {
    /// Credentials valid for at least the next few minutes.
    func credentials() async throws(AWSError) -> AWSCredentials
}

/// Credentials that do not change: the environment's, or stored access keys.
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    private let value: AWSCredentials

    /// Creates a provider that always answers `credentials`.
    public init(_ credentials: AWSCredentials) {
        value = credentials
    }

    /// The credentials given at creation.
    public func credentials() async throws(AWSError) -> AWSCredentials {
        value
    }
}
