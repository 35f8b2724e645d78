/// Why the development sign-in could not load its key or sign someone in.
public struct DevelopmentSignInError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The name is empty, or longer than 200 characters, once trimmed.
        case invalidName
        /// The email does not look like an address.
        case invalidEmail
        /// A session lasts from one second to thirty days.
        case invalidLifetime
        /// The key file exists but holds no RSA private key of 2048 bits or more.
        case unreadableKey
        /// The webhook secret file exists but holds no `whsec_` secret.
        case unreadableWebhookSecret
        /// A key or secret file could not be written.
        case fileNotWritten
    }

    /// What went wrong.
    public var kind: Kind
    /// A path, or the system's reason, for the log.
    public var detail: String?

    /// Creates an error.
    public init(_ kind: Kind, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }

    /// The stable snake_case name of the error.
    public var code: String {
        switch kind {
        case .invalidName: "invalid_name"
        case .invalidEmail: "invalid_email"
        case .invalidLifetime: "invalid_lifetime"
        case .unreadableKey: "unreadable_key"
        case .unreadableWebhookSecret: "unreadable_webhook_secret"
        case .fileNotWritten: "file_not_written"
        }
    }

    /// A sentence safe to show whoever filled in the form or called the endpoint.
    public var message: String {
        switch kind {
        case .invalidName: "Enter a name of 1 to 200 characters."
        case .invalidEmail: "Enter an email address, like ada@example.com."
        case .invalidLifetime: "A session lasts from 1 second to 30 days."
        case .unreadableKey: "The development sign-in key file is not an RSA private key."
        case .unreadableWebhookSecret: "The development webhook secret file holds no whsec_ secret."
        case .fileNotWritten: "The development sign-in could not write its key."
        }
    }

    /// The code.
    public var description: String { "DevelopmentSignInError(\(code))" }

    /// The code and the detail.
    public var debugDescription: String {
        detail.map { "\(description): \($0)" } ?? description
    }
}
