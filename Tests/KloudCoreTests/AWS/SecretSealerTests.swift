import Testing

@testable import KloudCore

@Suite("Envelope encryption of cloud credentials through moto's KMS")
struct SecretSealerTests {
    private static let secretText = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    private let owner = SecretOwner(accountID: "acct-0001", cloudAccountID: "cloud-0001")

    private func makeSealer() async throws -> SecretSealer {
        let moto = try await MotoServer.shared.endpoint()
        let kms = KMSClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let key = try await kms.createKey(description: "kloudhub credentials")
        return SecretSealer(kms: kms, keyID: key.keyID)
    }

    private func text(of secret: SecretBytes) -> String {
        secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    @Test func sealsAndOpensASecretForItsOwner() async throws {
        let sealer = try await makeSealer()

        let sealed = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        let opened = try await sealer.open(sealed, for: owner)

        #expect(text(of: opened) == Self.secretText)
        #expect(sealed.ciphertext.count == 12 + Self.secretText.utf8.count + 16)
        #expect(!sealed.encryptedDataKey.isEmpty)
        #expect(sealed.keyID.contains(sealer.keyID))
    }

    @Test func theStoredFormHoldsNoPlaintext() async throws {
        let sealer = try await makeSealer()

        let sealed = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)

        let stored = sealed.ciphertext + sealed.encryptedDataKey + Array(sealed.keyID.utf8)
        let secret = Array(Self.secretText.utf8)
        #expect(!stored.indices.contains { stored[$0...].starts(with: secret.prefix(8)) })
    }

    @Test func everySecretGetsAFreshDataKey() async throws {
        let sealer = try await makeSealer()

        let first = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        let second = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)

        #expect(first.encryptedDataKey != second.encryptedDataKey)
        #expect(first.ciphertext != second.ciphertext)
    }

    @Test(arguments: [0, 12, 30, -1])
    func refusesAFlippedBitInTheCiphertext(position: Int) async throws {
        let sealer = try await makeSealer()
        var sealed = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        let index = position >= 0 ? position : sealed.ciphertext.count - 1
        sealed.ciphertext[index] ^= 0x01

        let error = try await #require(throws: SecretSealingError.self) { try await sealer.open(sealed, for: owner) }

        #expect(error.code == .authenticationFailed)
    }

    @Test func refusesAFlippedBitInTheEncryptedDataKey() async throws {
        let sealer = try await makeSealer()
        var sealed = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        sealed.encryptedDataKey[sealed.encryptedDataKey.count - 1] ^= 0x80

        let error = try await #require(throws: SecretSealingError.self) { try await sealer.open(sealed, for: owner) }

        #expect(error.code == .keyRefused)
    }

    @Test func refusesASwappedRow() async throws {
        let sealer = try await makeSealer()
        let other = SecretOwner(accountID: "acct-0002", cloudAccountID: "cloud-0002")
        let mine = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        let theirs = try await sealer.seal(SecretBytes(copying: "their secret"), for: other)

        let openedAsOther = try await #require(throws: SecretSealingError.self) {
            try await sealer.open(mine, for: other)
        }
        let openedAsMine = try await #require(throws: SecretSealingError.self) {
            try await sealer.open(theirs, for: owner)
        }

        #expect(openedAsOther.code == .keyRefused)
        #expect(openedAsMine.code == .keyRefused)
    }

    @Test func refusesTheWrongContext() async throws {
        let sealer = try await makeSealer()
        let sealed = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        let otherCloudAccount = SecretOwner(accountID: owner.accountID, cloudAccountID: "cloud-0009")

        let error = try await #require(throws: SecretSealingError.self) {
            try await sealer.open(sealed, for: otherCloudAccount)
        }

        #expect(error.code == .keyRefused)
    }

    @Test func refusesADataKeyMovedFromAnotherSecret() async throws {
        let sealer = try await makeSealer()
        let first = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        let second = try await sealer.seal(SecretBytes(copying: "another"), for: owner)
        let spliced = SealedSecret(
            ciphertext: first.ciphertext, encryptedDataKey: second.encryptedDataKey, keyID: first.keyID)

        let error = try await #require(throws: SecretSealingError.self) { try await sealer.open(spliced, for: owner) }

        #expect(error.code == .authenticationFailed)
    }

    @Test func refusesAKeyFromAnotherKMSKey() async throws {
        let sealer = try await makeSealer()
        let otherSealer = try await makeSealer()
        var sealed = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        sealed.keyID = otherSealer.keyID

        let error = try await #require(throws: SecretSealingError.self) { try await sealer.open(sealed, for: owner) }

        // KMS answers IncorrectKeyException (key_refused); moto answers AccessDeniedException,
        // which stays kms_failed because a real AccessDenied is a permission problem.
        #expect([.keyRefused, .kmsFailed].contains(error.code), "\(String(reflecting: error))")
    }

    @Test func refusesAStructurallyBrokenSecret() async throws {
        let sealer = try await makeSealer()
        let sealed = try await sealer.seal(SecretBytes(copying: Self.secretText), for: owner)
        let truncated = SealedSecret(
            ciphertext: Array(sealed.ciphertext.prefix(20)), encryptedDataKey: sealed.encryptedDataKey,
            keyID: sealed.keyID)

        let error = try await #require(throws: SecretSealingError.self) { try await sealer.open(truncated, for: owner) }

        #expect(error.code == .invalidSealedSecret)
    }

    @Test func refusesAnOwnerWithoutIDs() async throws {
        let sealer = try await makeSealer()

        let error = try await #require(throws: SecretSealingError.self) {
            try await sealer.seal(SecretBytes(copying: "x"), for: SecretOwner(accountID: "", cloudAccountID: "c"))
        }

        #expect(error.code == .invalidOwner)
    }

    @Test func reportsKMSBeingUnusable() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let kms = KMSClient(configuration: try moto.wronglySignedConfiguration(), httpClient: HTTPClient())
        let sealer = SecretSealer(kms: kms, keyID: "alias/none")

        let error = try await #require(throws: SecretSealingError.self) {
            try await sealer.seal(SecretBytes(copying: "x"), for: owner)
        }

        #expect(error.code == .kmsFailed)
        #expect((error.underlying as? AWSError)?.serviceCode == "SignatureDoesNotMatch")
    }

    @Test func bindsTheIDsUnambiguously() {
        let split1 = SecretOwner(accountID: "ab", cloudAccountID: "c").additionalAuthenticatedData
        let split2 = SecretOwner(accountID: "a", cloudAccountID: "bc").additionalAuthenticatedData

        #expect(split1 != split2)
    }
}
