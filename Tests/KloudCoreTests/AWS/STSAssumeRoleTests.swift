import Testing

@testable import KloudCore

@Suite("STS AssumeRole against moto with signature checks")
struct STSAssumeRoleTests {
    /// Creates a role whose trust policy lets the test user in with `externalID`.
    private func makeRole(_ moto: MotoServer.Endpoint, externalID: String) async throws -> String {
        let iam = AWSServiceClient(
            service: .iam, configuration: try moto.configuration(), httpClient: HTTPClient(), credentialsProvider: nil)
        let roleName = uniqueName("customer-role")
        var request = QueryRequest(action: "CreateRole")
        request.set("RoleName", roleName)
        request.set(
            "AssumeRolePolicyDocument",
            """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"\(moto.userARN)"},\
            "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"\(externalID)"}}}]}
            """)
        let result = try await iam.query(request)
        return try #require(result.element(at: ["Role", "Arn"])?.text)
    }

    @Test func assumesARoleWithAnExternalIDAndUsesItsCredentials() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let roleARN = try await makeRole(moto, externalID: "kloudhub-ext-1")
        let configuration = try moto.configuration()
        let sts = STSClient(configuration: configuration, httpClient: HTTPClient())

        let assumed = try await sts.assumeRole(
            roleARN: roleARN, sessionName: "kloudhub-scan", externalID: "kloudhub-ext-1")
        let provider = AssumedRoleCredentialsProvider(
            sts: sts, roleARN: roleARN, externalID: "kloudhub-ext-1", sessionName: "kloudhub-scan")
        let asRole = STSClient(configuration: configuration, httpClient: HTTPClient(), credentials: provider)
        let identity = try await asRole.getCallerIdentity()

        #expect(assumed.credentials.sessionToken?.isEmpty == false)
        #expect(assumed.expiration > .now)
        #expect(assumed.assumedRoleARN.contains("assumed-role"))
        #expect(identity.arn.contains("assumed-role"))
        #expect(identity.arn.hasSuffix("/kloudhub-scan"))
    }

    @Test func assumeRoleWithAWrongSecretIsRefused() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let roleARN = try await makeRole(moto, externalID: "kloudhub-ext-2")
        let sts = STSClient(configuration: try moto.wronglySignedConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) {
            try await sts.assumeRole(roleARN: roleARN, sessionName: "kloudhub-scan", externalID: "kloudhub-ext-2")
        }

        #expect(error.serviceCode == "SignatureDoesNotMatch")
    }

    @Test func refusesASessionNameOutOfRange() async throws {
        let sts = STSClient(configuration: AWSConfiguration(region: "us-east-1"), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) {
            try await sts.assumeRole(roleARN: "arn:aws:iam::1:role/r", sessionName: "x", externalID: nil)
        }

        #expect(error.code == .invalidRequest)
    }
}
