import FoundationEssentials

/// Accounts as Clerk knows them: created and updated only from a verified session token or a
/// verified webhook (PP-account), by any database role.
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
        /// The Clerk user's account was deleted (migration 0019): no new one is made for it.
        case erased
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
    ///
    /// One statement, `upsert_clerk_account` (migration 0017), which every database role may
    /// call: a person's first request may reach any function.
    public func upsert(clerkUserID: String, email: String?, name: String?) throws -> Entry {
        let profileName = String((name ?? "").prefix(200))
        if let email {
            guard email.utf8.count <= 320, email.contains("@"), !email.hasPrefix("@"), !email.hasSuffix("@") else {
                throw Failure.invalidProfile("email")
            }
        }
        let rows = try database.query(
            """
            select account_id, account_status
            from kloudhub.upsert_clerk_account(\(clerkUserID), \(email), \(profileName))
            """)
        guard let row = rows.first else { throw Failure.missingEmail }
        let (id, status) = try row.decode((UUID?, String).self)
        guard let id else { throw Failure.erased }
        return Entry(id: id, isDeleting: status != "active")
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
