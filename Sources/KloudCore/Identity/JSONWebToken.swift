import FoundationEssentials
import LambdaRuntime

/// A JWS in compact form, split and decoded but not yet trusted.
struct JSONWebToken {
    /// The longest token accepted; Clerk's are about 1 KB.
    static let maximumLength = 8192

    let header: [String: JSONValue]
    let claims: [String: JSONValue]
    /// `base64url(header) "." base64url(claims)`: what the signature covers.
    let signingInput: [UInt8]
    let signature: [UInt8]

    /// Whether `text` has the shape of a compact JWS (three base64url parts); says nothing of
    /// whether it is valid.
    static func looksLikeToken(_ text: some StringProtocol) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].hasPrefix("eyJ") && parts[1].hasPrefix("eyJ")
    }

    init(compact text: String) throws(SessionTokenError) {
        guard text.utf8.count <= Self.maximumLength else { throw .malformed("token too long") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("not a compact JWS") }
        guard let headerBytes = Base64URL.decode(parts[0]), let claimBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed("not base64url") }
        guard case .object(let header)? = try? JSONDecoder().decode(JSONValue.self, from: Data(headerBytes)),
            case .object(let claims)? = try? JSONDecoder().decode(JSONValue.self, from: Data(claimBytes))
        else { throw .malformed("header or claims are not JSON objects") }
        self.header = header
        self.claims = claims
        self.signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.signature = signature
    }
}

/// Why a session token was refused. The reason is for logs; callers see only `invalid_token`.
public enum SessionTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unsupportedAlgorithm(String)
    case unknownKey(String)
    case badSignature
    case expired
    case notYetValid
    case wrongIssuer(String)
    case unauthorizedParty(String)
    case missingClaim(String)
    case keysUnavailable(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed token: \(reason)"
        case .unsupportedAlgorithm(let algorithm): "algorithm \(algorithm) is not accepted (RS256 only)"
        case .unknownKey(let keyID): "no key with id \(keyID)"
        case .badSignature: "the signature does not verify"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet"
        case .wrongIssuer(let issuer): "issuer \(issuer) is not the configured one"
        case .unauthorizedParty(let party): "authorized party \(party) is not allowed"
        case .missingClaim(let claim): "claim \(claim) is missing or has the wrong type"
        case .keysUnavailable(let reason): "the signing keys could not be loaded: \(reason)"
        }
    }
}
