/// The JSON bodies of the KMS operations KloudHub calls, with KMS's PascalCase member names.
enum KMSWireShapes {
    struct CreateKeyInput: Encodable {
        var description: String?
        var keyUsage = "ENCRYPT_DECRYPT"
        var keySpec = "SYMMETRIC_DEFAULT"

        enum CodingKeys: String, CodingKey {
            case description = "Description"
            case keyUsage = "KeyUsage"
            case keySpec = "KeySpec"
        }
    }

    struct CreateKeyOutput: Decodable {
        struct Metadata: Decodable {
            var keyID: String
            var arn: String?

            enum CodingKeys: String, CodingKey {
                case keyID = "KeyId"
                case arn = "Arn"
            }
        }

        var keyMetadata: Metadata

        enum CodingKeys: String, CodingKey {
            case keyMetadata = "KeyMetadata"
        }
    }

    struct GenerateDataKeyInput: Encodable {
        var keyID: String
        var keySpec = "AES_256"
        var encryptionContext: [String: String]

        enum CodingKeys: String, CodingKey {
            case keyID = "KeyId"
            case keySpec = "KeySpec"
            case encryptionContext = "EncryptionContext"
        }
    }

    struct EncryptInput: Encodable {
        var keyID: String
        var plaintext: String
        var encryptionContext: [String: String]?

        enum CodingKeys: String, CodingKey {
            case keyID = "KeyId"
            case plaintext = "Plaintext"
            case encryptionContext = "EncryptionContext"
        }
    }

    struct EncryptOutput: Decodable {
        var ciphertextBlob: String
        var keyID: String

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case keyID = "KeyId"
        }
    }

    struct DecryptInput: Encodable {
        var ciphertextBlob: String
        var keyID: String?
        var encryptionContext: [String: String]?

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case keyID = "KeyId"
            case encryptionContext = "EncryptionContext"
        }
    }
}
