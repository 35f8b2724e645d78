import Testing

@testable import KloudCore

@Suite("AWS configuration from the environment")
struct AWSConfigurationTests {
    private let base = [
        "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI",
    ]

    @Test func readsRegionAndCredentials() throws {
        var environment = base
        environment["AWS_SESSION_TOKEN"] = "token"

        let configuration = try AWSConfiguration(environment: environment)

        #expect(configuration.region == "eu-west-1")
        #expect(
            configuration.credentials
                == AWSCredentials(accessKeyID: "AKID", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "token"))
        #expect(configuration.retryStrategy.maxAttempts == 3)
    }

    @Test func fallsBackToTheDefaultRegion() throws {
        let configuration = try AWSConfiguration(environment: ["AWS_DEFAULT_REGION": "us-west-2"])

        #expect(configuration.region == "us-west-2")
        #expect(configuration.credentials == nil)
    }

    @Test func prefersAWSRegionOverTheDefault() throws {
        let configuration = try AWSConfiguration(environment: [
            "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2",
        ])

        #expect(configuration.region == "eu-central-1")
    }

    @Test(arguments: [
        [String: String](),
        ["AWS_REGION": "eu west"],
        ["AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID"],
        ["AWS_REGION": "eu-west-1", "AWS_SECRET_ACCESS_KEY": "s"],
        ["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "ftp://host"],
        ["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_S3": "http://user@host"],
        ["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://host/?q=1"],
        ["AWS_REGION": "eu-west-1", "AWS_MAX_ATTEMPTS": "0"],
        ["AWS_REGION": "eu-west-1", "AWS_MAX_ATTEMPTS": "many"],
    ])
    func refusesAnUnusableEnvironment(environment: [String: String]) {
        let error = #expect(throws: AWSError.self) { try AWSConfiguration(environment: environment) }

        #expect(error?.code == .invalidConfiguration)
    }

    @Test func secretsStayOutOfErrorsAndDescriptions() throws {
        let configuration = try AWSConfiguration(environment: base)

        #expect(!String(describing: configuration.credentials!).contains("wJalrXUtnFEMI"))
        #expect(!String(reflecting: configuration.credentials!).contains("wJalrXUtnFEMI"))
    }

    @Test func usesAWSEndpointsByDefault() throws {
        let configuration = try AWSConfiguration(environment: base)

        #expect(configuration.endpoint(for: .kms).endpoint.origin == "https://kms.eu-west-1.amazonaws.com")
        #expect(configuration.endpoint(for: .ses).endpoint.origin == "https://email.eu-west-1.amazonaws.com")
        #expect(configuration.endpoint(for: .iam).endpoint.origin == "https://iam.amazonaws.com")
        #expect(configuration.endpoint(for: .kms).isCustom == false)
        #expect(configuration.signingRegion(for: .iam) == "us-east-1")
        #expect(configuration.signingRegion(for: .kms) == "eu-west-1")
        #expect(AWSEndpoint.standard(for: .s3, region: "cn-north-1").host == "s3.cn-north-1.amazonaws.com.cn")
    }

    @Test func readsTheGlobalAndPerServiceEndpoints() throws {
        var environment = base
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000/"
        environment["AWS_ENDPOINT_URL_S3"] = "http://localhost:9000/base"
        environment["AWS_ENDPOINT_URL_LAMBDA"] = "http://127.0.0.1:3001"
        environment["AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"] = "http://127.0.0.1:7000"

        let configuration = try AWSConfiguration(environment: environment)

        #expect(configuration.endpoint(for: .kms).endpoint == AWSEndpoint(scheme: "http", host: "127.0.0.1:5000"))
        #expect(
            configuration.endpoint(for: .s3).endpoint
                == AWSEndpoint(scheme: "http", host: "localhost:9000", basePath: "/base"))
        #expect(configuration.endpoint(for: .lambda).endpoint.host == "127.0.0.1:3001")
        #expect(configuration.endpoint(for: .elasticLoadBalancingV2).endpoint.host == "127.0.0.1:7000")
        #expect(configuration.endpoint(for: .s3).isCustom)
        #expect(configuration.signingRegion(for: .iam) == "eu-west-1")
    }

    @Test func namesServiceVariablesAsTheSDKsDo() {
        #expect(AWSService.s3.environmentKey == "S3")
        #expect(AWSService.lambda.environmentKey == "LAMBDA")
        #expect(AWSService.elasticLoadBalancingV2.environmentKey == "ELASTIC_LOAD_BALANCING_V2")
        #expect(AWSService.cloudWatch.environmentKey == "CLOUDWATCH")
    }

    @Test func canIgnoreConfiguredEndpoints() throws {
        var environment = base
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000"
        environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"

        let configuration = try AWSConfiguration(environment: environment)

        #expect(configuration.endpoint(for: .kms).isCustom == false)
    }

    @Test func readsMaxAttempts() throws {
        var environment = base
        environment["AWS_MAX_ATTEMPTS"] = "5"

        #expect(try AWSConfiguration(environment: environment).retryStrategy.maxAttempts == 5)
    }

    @Test func addressesS3PathStyleAtACustomEndpoint() throws {
        var environment = base
        environment["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:5000"
        let s3 = S3Client(configuration: try AWSConfiguration(environment: environment), httpClient: HTTPClient())

        let request = try s3.request("GetObject", "GET", bucket: "my-bucket", key: "dir/a b+c.txt")

        #expect(request.hostPrefix == "")
        #expect(request.path == "/my-bucket/dir/a%20b%2Bc.txt")
    }

    @Test func addressesS3VirtualHostStyleAtAWS() throws {
        let s3 = S3Client(configuration: try AWSConfiguration(environment: base), httpClient: HTTPClient())

        let virtual = try s3.request("GetObject", "GET", bucket: "my-bucket", key: "k")
        let dotted = try s3.request("GetObject", "GET", bucket: "my.dotted.bucket", key: "k")

        #expect(virtual.hostPrefix == "my-bucket.")
        #expect(virtual.path == "/k")
        #expect(dotted.hostPrefix == "")
        #expect(dotted.path == "/my.dotted.bucket/k")
    }

    @Test(arguments: ["", "ab", "has space", "slash/bucket"])
    func refusesInvalidBucketNames(bucket: String) throws {
        let s3 = S3Client(configuration: try AWSConfiguration(environment: base), httpClient: HTTPClient())

        #expect(throws: AWSError.self) { try s3.request("GetObject", "GET", bucket: bucket, key: "k") }
    }

    @Test func aClientWithoutCredentialsSaysSo() async throws {
        let sts = STSClient(
            configuration: try AWSConfiguration(environment: ["AWS_REGION": "us-east-1"]), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }

        #expect(error.code == .missingCredentials)
    }
}
