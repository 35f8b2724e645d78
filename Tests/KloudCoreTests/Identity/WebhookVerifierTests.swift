import Foundation
import KloudCore
import Testing

@Suite struct WebhookVerifierTests {
    // Svix's published example: this secret, id, timestamp and body give this signature.
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let then = Date(timeIntervalSince1970: TimeInterval(timestamp) + 10)

    let verifier = try! WebhookVerifier(secret: secret)

    @Test func acceptsSvixsExampleAndSignsItTheSameWay() throws {
        try verifier.verify(
            id: Self.id, timestamp: String(Self.timestamp), signatures: Self.signature, body: Self.body, now: Self.then)
        #expect(verifier.signature(id: Self.id, timestamp: Self.timestamp, body: Self.body) == Self.signature)
    }

    @Test func acceptsAnyOfSeveralSignaturesDuringRotation() throws {
        try verifier.verify(
            id: Self.id, timestamp: String(Self.timestamp), signatures: "v1,AAAA " + Self.signature, body: Self.body,
            now: Self.then)
    }

    @Test func refusesAChangedBody() {
        #expect(throws: WebhookError.badSignature) {
            try verifier.verify(
                id: Self.id, timestamp: String(Self.timestamp), signatures: Self.signature,
                body: Array(#"{"test": 2432232315}"#.utf8), now: Self.then)
        }
    }

    @Test func refusesAnOldOrFutureTimestamp() {
        for skew in [-301.0, 301.0] {
            #expect(throws: WebhookError.staleTimestamp) {
                try verifier.verify(
                    id: Self.id, timestamp: String(Self.timestamp), signatures: Self.signature, body: Self.body,
                    now: Date(timeIntervalSince1970: TimeInterval(Self.timestamp) - skew))
            }
        }
    }

    @Test func refusesMissingHeadersAndAnotherSecret() throws {
        #expect(throws: WebhookError.missingHeaders) {
            try verifier.verify(id: nil, timestamp: "1", signatures: Self.signature, body: Self.body, now: Self.then)
        }
        let other = try WebhookVerifier(secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        #expect(throws: WebhookError.badSignature) {
            try other.verify(
                id: Self.id, timestamp: String(Self.timestamp), signatures: Self.signature, body: Self.body,
                now: Self.then)
        }
        #expect(throws: ConfigurationError.self) { try WebhookVerifier(secret: "not-a-secret") }
    }
}
