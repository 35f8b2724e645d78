/// The key pair (and, for temporary credentials, the session token) that signs AWS requests.
///
/// Printing, interpolating or dumping credentials shows the access key id only; the secret
/// and the token are redacted so that they cannot leak into logs by accident.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access key id, such as `AKIDEXAMPLE`; it appears in every signature's scope.
    public var accessKeyID: String
    /// The secret access key; it never leaves the process.
    public var secretAccessKey: String
    /// The session token of temporary credentials (STS, a Lambda role), sent as
    /// `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Creates credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The access key id with the secret and token redacted.
    public var description: String {
        let token = sessionToken == nil ? "nil" : "<redacted>"
        return "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(token))"
    }

    /// The same redacted text as `description`.
    public var debugDescription: String { description }

    /// A mirror without the secret parts, so `dump` cannot print them either.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID], displayStyle: .struct)
    }

    /// Checks that the parts can appear in a signature: an access key id without `/`,
    /// whitespace or control characters, a non-empty secret, and a token without control
    /// characters (it travels in a header or a query string).
    func validate() throws(SigV4Error) {
        if accessKeyID.isEmpty
            || SigV4Encoding.containsByte(
                in: accessKeyID, where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") })
        {
            throw .invalidCredentials("the access key id must be non-empty, without '/', spaces or control characters")
        }
        if secretAccessKey.isEmpty {
            throw .invalidCredentials("the secret access key must be non-empty")
        }
        if let sessionToken, SigV4Encoding.containsByte(in: sessionToken, where: { $0 < 0x20 || $0 == 0x7F }) {
            throw .invalidCredentials("the session token must not hold control characters")
        }
    }
}
