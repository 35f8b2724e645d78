/// An AWS service as the SDKs describe it: its SDK id (which names its endpoint variable), the
/// name it signs with, its endpoint prefix, API version and wire protocol.
public struct AWSService: Sendable, Hashable {
    /// The wire protocol of a service's API.
    enum WireProtocol: Sendable, Hashable {
        /// Form-encoded `Action` requests, XML responses (STS, SES, IAM, RDS, ELB, CloudWatch).
        case query
        /// EC2's variant of the query protocol, with its own error document.
        case ec2Query
        /// JSON bodies named by an `X-Amz-Target` header (KMS: 1.1 and `TrentService`).
        case json(version: String, targetPrefix: String)
        /// REST paths and headers with JSON bodies (Lambda).
        case restJSON
        /// REST paths and headers with XML bodies (S3).
        case restXML
    }

    /// The SDK service id, such as `S3`, `Lambda` or `Elastic Load Balancing v2`.
    public let id: String
    /// The name in the SigV4 credential scope, such as `s3` or `ses`.
    public let signingName: String
    /// The first label of the default endpoint host, such as `email` for SES.
    public let endpointPrefix: String
    /// The API version sent by query-protocol services, such as `2011-06-15`.
    public let apiVersion: String
    /// Whether the service has one endpoint for all regions, signed for `us-east-1` (IAM).
    public let isGlobal: Bool
    let wireProtocol: WireProtocol

    init(
        id: String, signingName: String, endpointPrefix: String, apiVersion: String, wireProtocol: WireProtocol,
        isGlobal: Bool = false
    ) {
        self.id = id
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.apiVersion = apiVersion
        self.wireProtocol = wireProtocol
        self.isGlobal = isGlobal
    }

    /// The suffix of the service's endpoint variable: the id upper-cased with spaces as
    /// underscores (`AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`).
    public var environmentKey: String {
        String(id.uppercased().map { $0 == " " ? "_" : $0 })
    }

    // MARK: - Services

    /// Amazon S3.
    public static let s3 = AWSService(
        id: "S3", signingName: "s3", endpointPrefix: "s3", apiVersion: "2006-03-01", wireProtocol: .restXML)
    /// AWS Key Management Service.
    public static let kms = AWSService(
        id: "KMS", signingName: "kms", endpointPrefix: "kms", apiVersion: "2014-11-01",
        wireProtocol: .json(version: "1.1", targetPrefix: "TrentService"))
    /// AWS Security Token Service, at its regional endpoints.
    public static let sts = AWSService(
        id: "STS", signingName: "sts", endpointPrefix: "sts", apiVersion: "2011-06-15", wireProtocol: .query)
    /// AWS Lambda.
    public static let lambda = AWSService(
        id: "Lambda", signingName: "lambda", endpointPrefix: "lambda", apiVersion: "2015-03-31",
        wireProtocol: .restJSON)
    /// Amazon SES, version 1 (query) API.
    public static let ses = AWSService(
        id: "SES", signingName: "ses", endpointPrefix: "email", apiVersion: "2010-12-01", wireProtocol: .query)
    /// Amazon EC2.
    public static let ec2 = AWSService(
        id: "EC2", signingName: "ec2", endpointPrefix: "ec2", apiVersion: "2016-11-15", wireProtocol: .ec2Query)
    /// Amazon RDS.
    public static let rds = AWSService(
        id: "RDS", signingName: "rds", endpointPrefix: "rds", apiVersion: "2014-10-31", wireProtocol: .query)
    /// Elastic Load Balancing (application and network load balancers).
    public static let elasticLoadBalancingV2 = AWSService(
        id: "Elastic Load Balancing v2", signingName: "elasticloadbalancing", endpointPrefix: "elasticloadbalancing",
        apiVersion: "2015-12-01", wireProtocol: .query)
    /// Amazon CloudWatch (metrics).
    public static let cloudWatch = AWSService(
        id: "CloudWatch", signingName: "monitoring", endpointPrefix: "monitoring", apiVersion: "2010-08-01",
        wireProtocol: .query)
    /// Amazon CloudWatch Logs.
    public static let cloudWatchLogs = AWSService(
        id: "CloudWatch Logs", signingName: "logs", endpointPrefix: "logs", apiVersion: "2014-03-28",
        wireProtocol: .json(version: "1.1", targetPrefix: "Logs_20140328"))
    /// AWS Identity and Access Management.
    public static let iam = AWSService(
        id: "IAM", signingName: "iam", endpointPrefix: "iam", apiVersion: "2010-05-08", wireProtocol: .query,
        isGlobal: true)
}
