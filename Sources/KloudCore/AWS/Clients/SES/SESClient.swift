/// Amazon SES, version 1 (query) API: KloudHub's transactional notifications.
public struct SESClient: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .ses, configuration: configuration, httpClient: httpClient, credentialsProvider: credentials)
    }

    /// Sends an email and returns SES's message id.
    public func sendEmail(_ email: SESEmail) async throws(AWSError) -> String {
        guard !email.source.isEmpty, !(email.to + email.cc + email.bcc).isEmpty else {
            throw .invalidRequest("SES", "an email needs a sender and at least one recipient")
        }
        guard email.textBody != nil || email.htmlBody != nil else {
            throw .invalidRequest("SES", "an email needs a text or an HTML body")
        }
        var request = QueryRequest(action: "SendEmail")
        request.set("Source", email.source)
        request.set(list: "Destination.ToAddresses", email.to)
        request.set(list: "Destination.CcAddresses", email.cc)
        request.set(list: "Destination.BccAddresses", email.bcc)
        request.set(list: "ReplyToAddresses", email.replyTo)
        request.set("Message.Subject.Data", email.subject)
        request.set("Message.Subject.Charset", "UTF-8")
        if let text = email.textBody {
            request.set("Message.Body.Text.Data", text)
            request.set("Message.Body.Text.Charset", "UTF-8")
        }
        if let html = email.htmlBody {
            request.set("Message.Body.Html.Data", html)
            request.set("Message.Body.Html.Charset", "UTF-8")
        }
        let result = try await client.query(request)
        return try client.requiredText("MessageId", in: result)
    }

    /// Starts verification of a sender address (what the emulator and tests do for their
    /// sender; a local AWS verifies it at once).
    public func verifyEmailIdentity(_ address: String) async throws(AWSError) {
        var request = QueryRequest(action: "VerifyEmailIdentity")
        request.set("EmailAddress", address)
        _ = try await client.query(request)
    }
}

/// One email for ``SESClient/sendEmail(_:)``.
public struct SESEmail: Sendable, Hashable {
    /// The verified sender address, optionally with a name: `KloudHub <noreply@example.com>`.
    public var source: String
    /// The `To` recipients.
    public var to: [String]
    /// The `Cc` recipients.
    public var cc: [String]
    /// The `Bcc` recipients.
    public var bcc: [String]
    /// The `Reply-To` addresses.
    public var replyTo: [String]
    /// The subject line.
    public var subject: String
    /// The plain-text body.
    public var textBody: String?
    /// The HTML body.
    public var htmlBody: String?

    /// Creates an email.
    public init(
        source: String,
        to: [String],
        cc: [String] = [],
        bcc: [String] = [],
        replyTo: [String] = [],
        subject: String,
        textBody: String? = nil,
        htmlBody: String? = nil
    ) {
        self.source = source
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
    }
}
