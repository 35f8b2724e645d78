import Foundation
import KloudCore

/// One account's rows (``AccountFixture``) with a secret planted wherever secrets live, as the
/// MCP secret canary plants them: credential ciphertext and data key, key and client
/// secret hashes, a role's external id, a sensitive Kloud variable, and log lines with AWS keys in
/// scan and deployment progress.
public struct ExportSecrets: Sendable {
    public let fixture: AccountFixture
    /// The ids an export of the account must show.
    public let exportedIDs: [UUID]
    /// Every planted secret, in each form a leak could take.
    public let canaries: [String]

    public var accountID: UUID { fixture.accountID }

    public static func plant(in database: TestDatabase, label: String) throws -> ExportSecrets {
        let fixture = try AccountFixture.insert(into: database, label: label)
        let account = fixture.accountID
        let dataKey = randomBytes(64)
        let clientSecretHash = randomBytes(32)
        let externalID = "canary-external-id-\(label)-\(UUID().uuidString)"
        let accessKey = "AKIAFAKECANARY" + String(UUID().uuidString.prefix(6))
        let secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARY\(label)\(UUID().uuidString.prefix(4))"
        let sensitive = "canary-password-\(label)-\(UUID().uuidString)"
        let logLine = "export AWS_ACCESS_KEY_ID=\(accessKey) AWS_SECRET_ACCESS_KEY=\(secretKey)"
        let roleAccount = UUID()
        let clientID = "canary-client-\(label)-\(UUID().uuidString.prefix(8))"
        try database.client(as: .api).execute(
            """
            insert into kloudhub.oauth_clients (client_id, client_name, registration_kind, redirect_uris,
                                       token_endpoint_auth_method, client_secret_hash)
            values (\(clientID), 'Canary client', 'dynamic', \(["https://client.example/callback"]),
                    'client_secret_basic', \(clientSecretHash))
            """)
        try database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.cloud_accounts set encrypted_data_key = \(dataKey) where id = \(fixture.id(in: .cloudAccounts))
                """)
            try transaction.execute(
                """
                insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn,
                                            external_id, status)
                values (\(roleAccount), \(account), '210987654321', 'Canary role account', 'us-east-1', 'role',
                        'arn:aws:iam::210987654321:role/KloudHubScanner', \(externalID), 'connected')
                """)
            try transaction.execute(
                """
                update kloudhub.klouds set variables = \(PostgresJSON(text: #"{"db_password": {"type": "string", "sensitive": true, "default": "\#(sensitive)"}, "size": {"default": "t3.micro"}}"#))
                where id = \(fixture.id(in: .klouds))
                """)
            try transaction.execute(
                """
                update kloudhub.deployments set progress = \(PostgresJSON(text: #"{"log": "\#(logLine)"}"#))
                where id = \(fixture.id(in: .deployments))
                """)
            try transaction.execute(
                """
                update kloudhub.scans set progress = \(PostgresJSON(text: #"{"last_log_line": "\#(logLine)"}"#))
                where id = \(fixture.id(in: .scans))
                """)
        }
        let exported = AccountOwnedTable.allCases.filter { $0 != .deletionRecords }.map { fixture.id(in: $0) }
        let bytes = [fixture.credentialCiphertext, dataKey, fixture.apiKeyHash, clientSecretHash]
        return ExportSecrets(
            fixture: fixture, exportedIDs: exported + [roleAccount],
            canaries: [externalID, accessKey, secretKey, sensitive] + bytes.flatMap(encodings))
    }

    /// The forms bytes take in text: hex either case, base64 and base64url (without padding).
    public static func encodings(of bytes: [UInt8]) -> [String] {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let base64 = Data(bytes).base64EncodedString().trimmingCharacters(in: ["="])
        let base64URL = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return [hex, hex.uppercased(), base64, base64URL, "\\\\x" + hex]
    }
}
