import FoundationEssentials

/// Accounts as Clerk knows them: created and updated only from a verified session token or a
/// verified webhook (PP-account). Connects as the API role.
public struct AccountDirectory: Sendable {
    /// An account's id and whether it may still be used.
    public struct Entry: Sendable, Equatable {
        public var id: UUID
        public var isDeleting: Bool
    }

    /// Why an account could not be found or made.
    public enum Failure: Error, Sendable, Equatable {
        /// Clerk's token or event does not carry the email the account needs.
        case missingEmail
        case invalidProfile(String)
    }

    public let database: PostgresClient

    public init(database: PostgresClient) {
        self.database = database
    }

    /// The account of Clerk user `clerkUserID`, if there is one.
    public func find(clerkUserID: String) throws -> Entry? {
        let rows = try database.query(
            "select id, status from kloudhub.find_account_by_clerk_user(\(clerkUserID))")
        return try rows.first.map { row in
            let (id, status) = try row.decode((UUID, String).self)
            return Entry(id: id, isDeleting: status != "active")
        }
    }

    /// The account of a verified Clerk user, created with `email` and `name` if it is new, and
    /// brought up to date when they changed. Without an email only an existing account is found.
    public func upsert(clerkUserID: String, email: String?, name: String?) throws -> Entry {
        let profileName = String((name ?? "").prefix(200))
        if let email {
            guard email.utf8.count <= 320, email.contains("@"), !email.hasPrefix("@"), !email.hasSuffix("@") else {
                throw Failure.invalidProfile("email")
            }
        }
        if let existing = try find(clerkUserID: clerkUserID) {
            if let email, !existing.isDeleting {
                try database.transaction(scopedTo: existing.id) { transaction in
                    try transaction.execute(
                        """
                        update kloudhub.accounts set email = \(email), name = \(profileName), updated_at = now()
                        where id = \(existing.id) and (email, name) is distinct from (\(email), \(profileName))
                        """)
                }
            }
            return existing
        }
        guard let email else { throw Failure.missingEmail }
        let id = UUID()
        let inserted = try database.transaction(scopedTo: id) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.accounts (id, clerk_user_id, email, name)
                values (\(id), \(clerkUserID), \(email), \(profileName))
                on conflict (clerk_user_id) do nothing
                """)
        }
        if inserted == 1 { return Entry(id: id, isDeleting: false) }
        // Another request created it first.
        guard let created = try find(clerkUserID: clerkUserID) else { throw Failure.missingEmail }
        return created
    }

    /// Marks the account of Clerk user `clerkUserID` for deletion: from now on no credential
    /// maps to it. Returns the account, nil if there is none; repeating it changes nothing.
    public func requestDeletion(clerkUserID: String) throws -> UUID? {
        guard let entry = try find(clerkUserID: clerkUserID) else { return nil }
        try database.transaction(scopedTo: entry.id) { transaction in
            try transaction.execute(
                """
                update kloudhub.accounts set status = 'deleting', deletion_requested_at = now(), updated_at = now()
                where id = \(entry.id) and status = 'active'
                """)
        }
        return entry.id
    }
}
