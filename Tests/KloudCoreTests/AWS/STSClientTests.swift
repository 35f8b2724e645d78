import Foundation
import Testing

@testable import KloudCore

@Suite("STS client against moto with signature checks")
struct STSClientTests {
    @Test func getCallerIdentityNamesTheSigningUser() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let sts = STSClient(configuration: try moto.configuration(), httpClient: HTTPClient())

        let identity = try await sts.getCallerIdentity()

        #expect(identity.account == moto.accountID)
        #expect(identity.arn == moto.userARN)
    }

    @Test func getCallerIdentityWithAWrongSecretIsRefused() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let sts = STSClient(configuration: try moto.wronglySignedConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }

        #expect(error.code == .serviceError)
        #expect(error.serviceCode == "SignatureDoesNotMatch")
        #expect(error.statusCode == 403)
        #expect(error.service == "STS")
    }
}
