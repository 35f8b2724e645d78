import Foundation
import KloudCore
import Testing

@Suite struct SecretTokenTests {
    @Test func rfc7636AppendixBVerifierAndChallenge() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(PKCE.challenge(for: verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.verify(verifier: verifier, challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
    }

    @Test func refusesWrongShortLongOrPlainVerifiers() {
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        #expect(!PKCE.verify(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl", challenge: challenge))
        #expect(!PKCE.verify(verifier: "short", challenge: PKCE.challenge(for: "short")))
        let long = String(repeating: "a", count: 129)
        #expect(!PKCE.verify(verifier: long, challenge: PKCE.challenge(for: long)))
        // `plain`: the challenge is the verifier itself.
        let verifier = String(repeating: "b", count: 43)
        #expect(!PKCE.verify(verifier: verifier, challenge: verifier))
    }

    @Test func keysCarryTheirPrefixAnd256RandomBitsAndStoreOnlyAHash() {
        let first = SecretToken.generate(.apiKey)
        let second = SecretToken.generate(.apiKey)
        #expect(first.raw.hasPrefix("khk_") && first.raw.count == 47)
        #expect(first.raw != second.raw)
        #expect(Base64URL.decode(first.raw.dropFirst(4))?.count == 32)
        #expect(first.hash.count == 32 && first.hash == SecretToken.hash(first.raw))
        #expect(first.displayPrefix == String(first.raw.prefix(12)))
        #expect(SecretToken.kind(of: first.raw) == .apiKey)
        #expect(SecretToken.kind(of: SecretToken.generate(.refreshToken).raw) == .refreshToken)
        #expect(SecretToken.kind(of: "khk_short") == nil)
        #expect(SecretToken.kind(of: "xyz_" + first.raw.dropFirst(4)) == nil)
    }

    @Test func base64URLIsStrict() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64URL.decode("-_8=") == nil)
        #expect(Base64URL.decode("A") == nil)
    }
}
