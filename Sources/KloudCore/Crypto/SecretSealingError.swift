/// Why a secret could not be sealed or opened.
///
/// `description` never holds key material, ids or server text.
public struct SecretSealingError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable, machine-readable reason, spelled in snake_case.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The snake_case spelling, stable across releases.
        public let rawValue: String

        /// Creates a code from its snake_case spelling.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The spelling, as `description`.
        public var description: String { rawValue }

        /// The owner's ids are empty.
        public static let invalidOwner = Code(rawValue: "invalid_owner")
        /// The stored form is structurally broken (too short, no data key, no key id).
        public static let invalidSealedSecret = Code(rawValue: "invalid_sealed_secret")
        /// KMS refused to decrypt the data key: another owner's ids (a swapped row), a wrong
        /// encryption context, an altered encrypted key or another KMS key.
        public static let keyRefused = Code(rawValue: "key_refused")
        /// The AES-GCM tag did not verify: the ciphertext or the owner ids were altered.
        public static let authenticationFailed = Code(rawValue: "authentication_failed")
        /// KMS returned a data key that is not 32 bytes.
        public static let invalidDataKey = Code(rawValue: "invalid_data_key")
        /// KMS could not be used (unreachable, throttled, permission denied).
        public static let kmsFailed = Code(rawValue: "kms_failed")
        /// AES-GCM could not seal the secret.
        public static let sealingFailed = Code(rawValue: "sealing_failed")
    }

    /// The reason, stable for callers to match on.
    public let code: Code
    /// The KMS or crypto error behind this one.
    public let underlying: (any Error)?
    let summary: String

    init(code: Code, summary: String, underlying: (any Error)? = nil) {
        self.code = code
        self.summary = summary
        self.underlying = underlying
    }

    /// The code and a fixed sentence.
    public var description: String { "\(code.rawValue): \(summary)" }

    /// The description and the underlying error's own (redacted) description.
    public var debugDescription: String {
        guard let underlying else { return "SecretSealingError(\(description))" }
        return "SecretSealingError(\(description); underlying: \(String(describing: underlying)))"
    }

    // MARK: - Factories

    static func invalidOwner() -> SecretSealingError {
        SecretSealingError(code: .invalidOwner, summary: "the owner's account and cloud account ids must be non-empty")
    }

    static func invalidSealedSecret(_ summary: String) -> SecretSealingError {
        SecretSealingError(code: .invalidSealedSecret, summary: summary)
    }

    static func keyRefused(_ underlying: AWSError) -> SecretSealingError {
        SecretSealingError(
            code: .keyRefused, summary: "KMS refused the data key for this owner", underlying: underlying)
    }

    static func authenticationFailed(_ underlying: (any Error)?) -> SecretSealingError {
        SecretSealingError(
            code: .authenticationFailed, summary: "the sealed secret does not authenticate for this owner",
            underlying: underlying)
    }

    static func invalidDataKey() -> SecretSealingError {
        SecretSealingError(code: .invalidDataKey, summary: "KMS returned a data key that is not 256 bits")
    }

    static func kmsFailed(_ underlying: AWSError) -> SecretSealingError {
        SecretSealingError(code: .kmsFailed, summary: "KMS could not be used", underlying: underlying)
    }

    static func sealingFailed(_ underlying: any Error) -> SecretSealingError {
        SecretSealingError(code: .sealingFailed, summary: "AES-GCM could not seal the secret", underlying: underlying)
    }
}
