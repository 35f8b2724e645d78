import Foundation
import KloudCore

/// One account with one row in every account-owned table, each inserted by
/// the role that writes such rows in production, in a transaction scoped to
/// the account. Ids are made here, so tests know every row's id.
public struct AccountFixture: Sendable {
    /// The account's id.
    public let accountID: UUID
    /// The id of the account's row in each table (`id` column).
    public let rowIDs: [AccountOwnedTable: UUID]
    /// The OAuth client registered for the account's code and tokens.
    public let oauthClientID: String
    /// The SHA-256 stored for the account's API key.
    public let apiKeyHash: [UInt8]
    /// The ciphertext stored for the account's cloud account credentials.
    public let credentialCiphertext: [UInt8]

    /// Inserts a new account and its rows.
    public static func insert(into database: TestDatabase, label: String) throws -> AccountFixture {
        var ids: [AccountOwnedTable: UUID] = [:]
        for table in AccountOwnedTable.allCases { ids[table] = UUID() }
        let accountID = ids[.accounts]!
        let fixture = AccountFixture(
            accountID: accountID, rowIDs: ids, oauthClientID: "client-\(label)-\(accountID.uuidString.prefix(8))",
            apiKeyHash: randomBytes(32), credentialCiphertext: randomBytes(48))
        try database.client(as: .api).execute(
            """
            insert into kloudhub.oauth_clients (client_id, client_name, registration_kind, redirect_uris)
            values (\(fixture.oauthClientID), \(label), 'dynamic', \(["https://client.example/callback"]))
            """)
        // The account first: every other row refers to it.
        for role in [DatabaseRole.maintenance, .api, .worker] {
            let client = database.client(as: role)
            try client.transaction(scopedTo: accountID) { transaction in
                for table in AccountOwnedTable.allCases where table.writer == role {
                    try transaction.execute(fixture.insertQuery(for: table, as: accountID, id: ids[table]!))
                }
            }
        }
        return fixture
    }

    /// The id of the account's row in a table.
    public func id(in table: AccountOwnedTable) -> UUID {
        rowIDs[table]!
    }

    /// An INSERT of a row into `table` claiming to belong to `owner`, whose
    /// references (cloud account, Kloud, resource, …) point at this
    /// fixture's rows. With another account as `owner`, row-level security
    /// must refuse it; with references to another account's rows, the
    /// account-scoped foreign keys must.
    public func insertQuery(for table: AccountOwnedTable, as owner: UUID, id: UUID) -> PostgresQuery {
        let random = randomBytes(32)
        switch table {
        case .accounts:
            return """
                insert into kloudhub.accounts (id, clerk_user_id, email, name)
                values (\(id), \("user_" + id.uuidString), 'person@example.com', 'Fixture Person')
                """
        case .oauthCodes:
            return """
                insert into kloudhub.oauth_codes (id, account_id, code_hash, client_id, redirect_uri, code_challenge, scopes, expires_at)
                values (\(id), \(owner), \(random), \(oauthClientID), 'https://client.example/callback',
                        'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', \(["mcp"]), now() + interval '5 minutes')
                """
        case .apiKeys:
            let hash = owner == accountID && id == self.id(in: .apiKeys) ? apiKeyHash : random
            return """
                insert into kloudhub.api_keys (id, account_id, kind, name, key_hash, display_prefix, scopes)
                values (\(id), \(owner), 'api', 'fixture key', \(hash), 'kh_live_ab', \(["read", "write"]))
                """
        case .cloudAccounts:
            return """
                insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind,
                                            credential_ciphertext, encrypted_data_key, kms_key_id, status)
                values (\(id), \(owner), '123456789012', 'Production', 'eu-west-1', 'access_keys',
                        \(credentialCiphertext), \(random), 'alias/kloudhub', 'connected')
                """
        case .klouds:
            return """
                insert into kloudhub.klouds (id, account_id, name, description)
                values (\(id), \(owner), \("kloud-" + id.uuidString), 'A fixture Kloud')
                """
        case .kloudFiles:
            return """
                insert into kloudhub.kloud_files (id, account_id, kloud_id, path, content, sha256, size_bytes)
                values (\(id), \(owner), \(self.id(in: .klouds)), 'main.tf', 'terraform {}', \(random), 12)
                """
        case .deployments:
            return """
                insert into kloudhub.deployments (id, account_id, kloud_id, cloud_account_id, action)
                values (\(id), \(owner), \(self.id(in: .klouds)), \(self.id(in: .cloudAccounts)), 'plan')
                """
        case .scans:
            return """
                insert into kloudhub.scans (id, account_id, cloud_account_id, regions)
                values (\(id), \(owner), \(self.id(in: .cloudAccounts)), \(["eu-west-1"]))
                """
        case .resources:
            return """
                insert into kloudhub.resources (id, account_id, cloud_account_id, scan_id, arn, resource_type, name,
                                       region, monthly_cost)
                values (\(id), \(owner), \(self.id(in: .cloudAccounts)), \(self.id(in: .scans)),
                        \("arn:aws:ec2:eu-west-1:123456789012:volume/vol-" + id.uuidString), 'ec2:volume',
                        'data volume', 'eu-west-1', \(Money("12.5")!))
                """
        case .wasteFindings:
            return """
                insert into kloudhub.waste_findings (id, account_id, resource_id, scan_id, kind, title, monthly_saving)
                values (\(id), \(owner), \(self.id(in: .resources)), \(self.id(in: .scans)), 'unattached_volume',
                        'Unattached volume', \(Money("12.5")!))
                """
        case .analyses:
            return """
                insert into kloudhub.analyses (id, account_id, subject_kind, subject_id, question)
                values (\(id), \(owner), 'scan', \(self.id(in: .scans)), 'What can I save?')
                """
        case .shells:
            return """
                insert into kloudhub.shells (id, account_id, cloud_account_id, name, region)
                values (\(id), \(owner), \(self.id(in: .cloudAccounts)), 'ops shell', 'eu-west-1')
                """
        case .notifications:
            return """
                insert into kloudhub.notifications (id, account_id, kind, subject_id, idempotency_key)
                values (\(id), \(owner), 'scan_completed', \(self.id(in: .scans)), \(id.uuidString))
                """
        case .requestLog:
            return """
                insert into kloudhub.request_log (id, account_id, request_id, function_name, method, path, status, ip,
                                         duration_ms)
                values (\(id), \(owner), \(id.uuidString), 'mcp', 'POST', '/mcp', 200, '192.0.2.1', 3)
                """
        case .deletionRecords:
            return """
                insert into kloudhub.deletion_records (id, account_id, reason)
                values (\(id), \(owner), 'user_request')
                """
        }
    }
}
