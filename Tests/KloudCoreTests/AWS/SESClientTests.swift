import Testing

@testable import KloudCore

@Suite("SES client against moto with signature checks")
struct SESClientTests {
    @Test func sendsAnEmailFromAVerifiedSender() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let ses = SESClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let sender = "\(uniqueName("noreply"))@kloudhub.example"
        try await ses.verifyEmailIdentity(sender)

        let messageID = try await ses.sendEmail(
            SESEmail(
                source: sender, to: ["person@example.com"], replyTo: ["support@kloudhub.example"],
                subject: "Deployment finished: ✓ & <ok>", textBody: "Your Kloud is live.",
                htmlBody: "<p>Your Kloud is <b>live</b>.</p>"))

        #expect(!messageID.isEmpty)
    }

    @Test func sendEmailWithAWrongSecretIsRefused() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let ses = SESClient(configuration: try moto.wronglySignedConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) {
            try await ses.sendEmail(
                SESEmail(source: "a@kloudhub.example", to: ["b@example.com"], subject: "s", textBody: "t"))
        }

        #expect(error.serviceCode == "SignatureDoesNotMatch")
    }

    @Test func anUnverifiedSenderIsAServiceError() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let ses = SESClient(configuration: try moto.configuration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) {
            try await ses.sendEmail(
                SESEmail(
                    source: "\(uniqueName("unverified"))@kloudhub.example", to: ["b@example.com"], subject: "s",
                    textBody: "t"))
        }

        #expect(error.code == .serviceError)
        #expect(error.serviceCode == "MessageRejected")
    }

    @Test func refusesAnEmailWithoutRecipientsOrBody() async throws {
        let ses = SESClient(configuration: AWSConfiguration(region: "us-east-1"), httpClient: HTTPClient())

        await #expect(throws: AWSError.self) {
            try await ses.sendEmail(SESEmail(source: "a@b.c", to: [], subject: "s", textBody: "t"))
        }
        await #expect(throws: AWSError.self) {
            try await ses.sendEmail(SESEmail(source: "a@b.c", to: ["d@e.f"], subject: "s"))
        }
    }
}
