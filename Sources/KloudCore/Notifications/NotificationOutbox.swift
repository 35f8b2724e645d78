import FoundationEssentials
import LambdaRuntime

/// The notification outbox (PP-notify): a row is written in the transaction of the change it
/// announces, then sent by email through SES. A send is claimed before it is tried (status
/// `sending`, one more attempt) and marked `sent` after, so no notification is sent twice: a
/// send that SES refused is tried again later, with backoff, up to ``maximumAttempts``; one whose
/// outcome is unknown (the function died while sending) is never repeated.
public struct NotificationOutbox: Sendable {
    public static let maximumAttempts = 5

    public let database: PostgresClient
    public let ses: SESClient
    public let sender: String

    public init(database: PostgresClient, ses: SESClient, sender: String) {
        self.database = database
        self.ses = ses
        self.sender = sender
    }

    /// What a notification says.
    struct Message {
        var recipient: String
        var subject: String
        var text: String
    }

    /// Sends one notification of `account` if it is due; returns whether it went out now.
    @discardableResult
    public func send(_ notificationID: UUID, account: UUID) async throws -> Bool {
        guard
            let message = try database.transaction(
                scopedTo: account,
                { transaction in
                    try Self.claim(notificationID, in: transaction)
                })
        else { return false }
        do {
            _ = try await ses.sendEmail(
                SESEmail(source: sender, to: [message.recipient], subject: message.subject, textBody: message.text))
        } catch {
            try database.transaction(scopedTo: account) { transaction in
                try Self.recordFailure(notificationID, code: error.code.rawValue, in: transaction)
            }
            return false
        }
        try database.transaction(scopedTo: account) { transaction in
            _ = try transaction.execute(
                "update kloudhub.notifications set status = 'sent', sent_at = now() where id = \(notificationID)")
        }
        return true
    }

    /// What a pass over the outbox did.
    public struct Pass: Sendable, Equatable {
        public var sent = 0
        public var refused = 0
        public var abandoned = 0
    }

    /// Sends what is due across accounts (the maintenance role's view): sends SES refused
    /// before, and any whose first send was lost; a send left `sending` for an hour (its function
    /// died mid-send) is marked failed, not repeated. Stops at `limit` or when `hasTimeLeft` says so.
    public func sendDue(limit: Int, hasTimeLeft: () -> Bool) async throws -> Pass {
        var pass = Pass()
        pass.abandoned = try database.execute(
            """
            update kloudhub.notifications set status = 'failed', last_error_code = 'outcome_unknown'
            where status = 'sending' and next_attempt_at < now() - interval '1 hour'
            """)
        let due = try database.query(
            """
            select id, account_id from kloudhub.notifications
            where status = 'pending' and next_attempt_at <= now() and created_at < now() - interval '1 minute'
            order by next_attempt_at limit \(limit)
            """
        ).decode((UUID, UUID).self)
        for (id, account) in due where hasTimeLeft() {
            if try await send(id, account: account) { pass.sent += 1 } else { pass.refused += 1 }
        }
        return pass
    }

    /// Takes the notification for sending: nil when it is not due (sent, being sent, or waiting).
    static func claim(_ id: UUID, in transaction: PostgresTransaction) throws -> Message? {
        guard
            let row = try transaction.query(
                """
                update kloudhub.notifications n set status = 'sending', attempts = n.attempts + 1, next_attempt_at = now()
                from kloudhub.accounts a
                where n.id = \(id) and a.id = n.account_id and n.status = 'pending' and n.next_attempt_at <= now()
                returning n.kind, n.payload, a.email
                """
            ).first
        else { return nil }
        let (kind, payload, email) = try row.decode((String, PostgresJSON, String?).self)
        guard let email, !email.isEmpty else {
            _ = try transaction.execute(
                "update kloudhub.notifications set status = 'failed', last_error_code = 'no_address' where id = \(id)")
            return nil
        }
        return message(kind: kind, payload: (try? payload.decode(JSONValue.self)) ?? .object([:]), to: email)
    }

    /// A refused send: tried again after a backoff, or given up after the last attempt.
    static func recordFailure(_ id: UUID, code: String, in transaction: PostgresTransaction) throws {
        _ = try transaction.execute(
            """
            update kloudhub.notifications
            set status = case when attempts >= \(maximumAttempts) then 'failed' else 'pending' end,
                next_attempt_at = now() + make_interval(mins => 2 ^ attempts),
                last_error_code = \(String(code.prefix(100)))
            where id = \(id)
            """)
    }

    static func message(kind: String, payload: JSONValue, to recipient: String) -> Message {
        let field = { (name: String) in payload[name]?.stringValue ?? "" }
        switch kind {
        case "deployment_status":
            let action = field("action")
            let outcome = field("status")
            var text = """
                The \(action) of your Kloud "\(field("kloud_name"))" into \(field("cloud_account_name")) \(outcome).

                Deployment: \(field("deployment_id"))
                """
            if !field("error_message").isEmpty { text += "\nError: \(field("error_message"))" }
            text += "\n\nKloudHub sends this because a deployment you started has finished."
            return Message(
                recipient: recipient, subject: "KloudHub: \(action) of \(field("kloud_name")) \(outcome)", text: text)
        default:
            return Message(
                recipient: recipient, subject: "KloudHub: \(kind.split(separator: "_").joined(separator: " "))",
                text: "Something you started in KloudHub has finished. Open KloudHub to see it.")
        }
    }
}
