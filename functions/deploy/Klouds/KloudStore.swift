import FoundationEssentials
import KloudCore
import LambdaRuntime

/// Klouds in Postgres and S3: files up to ``inlineLimit`` in the row, larger ones in the
/// blueprints bucket under the account's prefix; variables in the row, a sensitive value sealed
/// with the envelope encryption of credentials (PP-data, PP-cloud).
struct KloudStore: Sendable {
    static let inlineLimit = 32 * 1024
    static let redacted = "[redacted]"

    let database: PostgresClient
    let s3: S3Client
    /// The blueprints bucket, where files over the inline limit are kept.
    let bucket: String
    /// Seals sensitive values with the credentials key.
    let sealer: SecretSealer

    /// A variable as stored: the value, or for a sensitive one its sealed value.
    struct StoredVariable: Codable, Sendable {
        struct Sealed: Codable, Sendable {
            var ciphertext: String
            var encryptedDataKey: String
            var keyID: String
        }
        var sensitive: Bool
        var description: String?
        var `default`: JSONValue?
        var sealed: Sealed?

        enum CodingKeys: String, CodingKey {
            case sensitive, description, `default`, sealed
        }
    }

    /// A Kloud as a person sees it: sensitive values redacted.
    struct View: Encodable, Sendable {
        struct File: Encodable, Sendable {
            var path: String
            var content: String
            var sizeBytes: Int
        }
        struct Variable: Encodable, Sendable {
            var sensitive: Bool
            var description: String?
            var value: JSONValue?
        }
        var id: UUID
        var name: String
        var description: String
        var origin: String
        var createdAt: Date
        var updatedAt: Date
        var files: [File]
        var variables: [String: Variable]
    }

    /// What a run needs: the files and every variable's value, sensitive ones opened.
    struct Contents: Sendable {
        var name: String
        var files: [KloudFile]
        var variables: [String: JSONValue]
        var sensitiveValues: [String]
    }

    // MARK: writing

    /// Stores a new Kloud, or replaces Kloud `id`'s contents; returns its id.
    func save(_ draft: KloudDraft, id existing: UUID?, account: UUID) async throws -> UUID {
        let id = existing ?? UUID()
        let previous = try existing.map { try storedVariables(of: $0, account: account) } ?? [:]
        guard existing == nil || previous != nil else { throw APIError(.notFound, "not_found", "no such Kloud") }
        var variables: [String: StoredVariable] = [:]
        for (name, given) in draft.variables ?? [:] {
            variables[name] = try await stored(name, given, kloud: id, account: account, previous: previous?[name])
        }
        var rows: [(path: String, content: String?, s3Key: String?, sha256: [UInt8], size: Int)] = []
        for file in draft.files {
            let bytes = Array(file.content.utf8)
            let digest = ContentDigest.sha256(bytes)
            if bytes.count <= Self.inlineLimit {
                rows.append((file.path, file.content, nil, digest, bytes.count))
            } else {
                let key =
                    AccountStorage.prefix(for: account) + "klouds/\(id.uuidString.lowercased())/"
                    + digest.map { String($0, radix: 16).leftPadded(2) }.joined()
                _ = try await s3.putObject(bucket: bucket, key: key, body: bytes, contentType: "text/plain")
                rows.append((file.path, nil, key, digest, bytes.count))
            }
        }
        let variablesJSON = try PostgresJSON(encoding: variables)
        let saved = try database.transaction(scopedTo: account) { transaction -> Bool in
            if existing == nil {
                _ = try transaction.execute(
                    """
                    insert into kloudhub.klouds (id, account_id, name, description, origin, variables)
                    values (\(id), \(account), \(draft.name), \(draft.description ?? ""), \(draft.origin ?? "written"),
                            \(variablesJSON))
                    """)
            } else {
                guard
                    try transaction.execute(
                        """
                        update kloudhub.klouds set name = \(draft.name), description = \(draft.description ?? ""),
                               origin = \(draft.origin ?? "written"), variables = \(variablesJSON), updated_at = now()
                        where id = \(id)
                        """) == 1
                else { return false }
                _ = try transaction.execute("delete from kloudhub.kloud_files where kloud_id = \(id)")
            }
            for row in rows {
                _ = try transaction.execute(
                    """
                    insert into kloudhub.kloud_files (account_id, kloud_id, path, content, s3_key, sha256, size_bytes)
                    values (\(account), \(id), \(row.path), \(row.content), \(row.s3Key), \(row.sha256), \(row.size))
                    """)
            }
            return true
        }
        guard saved else { throw APIError(.notFound, "not_found", "no such Kloud") }
        return id
    }

    private func stored(
        _ name: String, _ given: VariableDraft, kloud: UUID, account: UUID, previous: StoredVariable?
    ) async throws -> StoredVariable {
        guard given.sensitive == true else {
            return StoredVariable(sensitive: false, description: given.description, default: given.value, sealed: nil)
        }
        guard let value = given.value else {
            guard let previous, previous.sensitive, previous.sealed != nil else {
                throw APIError(.badRequest, "invalid_request", "variables.\(name).value is required")
            }
            return StoredVariable(
                sensitive: true, description: given.description, default: nil, sealed: previous.sealed)
        }
        var text = Array(try JSONStreamEncoder().encode(value))
        let sealed = try await sealer.seal(
            SecretBytes(wiping: &text), for: Self.owner(name, kloud: kloud, account: account))
        return StoredVariable(
            sensitive: true, description: given.description, default: nil,
            sealed: .init(
                ciphertext: Data(sealed.ciphertext).base64EncodedString(),
                encryptedDataKey: Data(sealed.encryptedDataKey).base64EncodedString(), keyID: sealed.keyID))
    }

    /// Whose a sensitive value is: the account, and the Kloud's variable in the place of a cloud
    /// account, so a sealed value moved to another Kloud or variable does not open.
    static func owner(_ variable: String, kloud: UUID, account: UUID) -> SecretOwner {
        SecretOwner(
            accountID: account.uuidString.lowercased(),
            cloudAccountID: "kloud/\(kloud.uuidString.lowercased())/variables/\(variable)")
    }

    /// Deletes the Kloud, its files (and their S3 objects) and its deployments' rows.
    func delete(_ id: UUID, account: UUID) async throws {
        let keys = try database.transaction(scopedTo: account) { transaction -> [String]? in
            if try transaction.query(
                "select 1 from kloudhub.deployments where kloud_id = \(id) and status in ('queued', 'running')"
            ).first != nil {
                throw APIError(.conflict, "deployment_active", "a deployment of this Kloud is queued or running")
            }
            let keys = try transaction.query(
                "select s3_key from kloudhub.kloud_files where kloud_id = \(id) and s3_key is not null"
            )
            .map { try $0.decode(String.self) }
            guard try transaction.execute("delete from kloudhub.klouds where id = \(id)") == 1 else { return nil }
            return keys
        }
        guard let keys else { throw APIError(.notFound, "not_found", "no such Kloud") }
        for key in keys { try await s3.deleteObject(bucket: bucket, key: key) }
    }

    // MARK: reading

    func view(_ id: UUID, account: UUID) async throws -> View? {
        guard let (view, variables, files) = try row(id, account: account) else { return nil }
        var shown = view
        for file in files {
            shown.files.append(View.File(path: file.path, content: try await fileContents(file), sizeBytes: file.size))
        }
        shown.variables = variables.mapValues {
            View.Variable(
                sensitive: $0.sensitive, description: $0.description,
                value: $0.sensitive ? .string(Self.redacted) : $0.default)
        }
        return shown
    }

    /// The Kloud's files and variables as a run uses them, sensitive values opened.
    func contents(_ id: UUID, account: UUID) async throws -> Contents? {
        guard let loaded = try row(id, account: account) else { return nil }
        var contents = Contents(name: loaded.0.name, files: [], variables: [:], sensitiveValues: [])
        for file in loaded.2 {
            contents.files.append(KloudFile(path: file.path, content: try await fileContents(file)))
        }
        let variables = loaded.1.sorted { $0.key < $1.key }
        for entry in variables {
            if let sealed = entry.value.sealed {
                let value = try await open(sealed, variable: entry.key, kloud: id, account: account)
                contents.variables[entry.key] = value
                contents.sensitiveValues.append(TerraformVariables.text(of: value))
            } else if let value = entry.value.default {
                contents.variables[entry.key] = value
            }
        }
        return contents
    }

    /// A sensitive value, opened for a run. Not inlined: Swift 6.3's optimizer crashes splitting
    /// `contents` when this typed-throws call is inlined into its loop.
    @inline(never)
    private func open(
        _ sealed: StoredVariable.Sealed, variable: String, kloud: UUID, account: UUID
    ) async throws -> JSONValue {
        guard let ciphertext = Data(base64Encoded: sealed.ciphertext),
            let dataKey = Data(base64Encoded: sealed.encryptedDataKey)
        else { throw ConnectionError(code: "sensitive_value_unreadable") }
        let opened = try await sealer.open(
            SealedSecret(ciphertext: Array(ciphertext), encryptedDataKey: Array(dataKey), keyID: sealed.keyID),
            for: Self.owner(variable, kloud: kloud, account: account))
        return try Self.decodeValue(opened)
    }

    private static func decodeValue(_ opened: SecretBytes) throws -> JSONValue {
        try opened.withUnsafeBytes { try JSONDecoder().decode(JSONValue.self, from: Data($0)) }
    }

    private struct FileRow {
        var path: String
        var content: String?
        var s3Key: String?
        var size: Int
    }

    private func row(_ id: UUID, account: UUID) throws -> (View, [String: StoredVariable], [FileRow])? {
        try database.transaction(scopedTo: account) { transaction in
            guard
                let row = try transaction.query(
                    "select name, description, origin, created_at, updated_at, variables from kloudhub.klouds where id = \(id)"
                ).first
            else { return nil }
            let (name, description, origin, createdAt, updatedAt, variables) = try row.decode(
                (String, String, String, Date, Date, PostgresJSON).self)
            let files = try transaction.query(
                "select path, content, s3_key, size_bytes from kloudhub.kloud_files where kloud_id = \(id) order by path"
            ).map { row in
                let (path, content, key, size) = try row.decode((String, String?, String?, Int).self)
                return FileRow(path: path, content: content, s3Key: key, size: size)
            }
            return (
                View(
                    id: id, name: name, description: description, origin: origin, createdAt: createdAt,
                    updatedAt: updatedAt, files: [], variables: [:]),
                try variables.decode([String: StoredVariable].self), files
            )
        }
    }

    private func storedVariables(of id: UUID, account: UUID) throws -> [String: StoredVariable]? {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.query("select variables from kloudhub.klouds where id = \(id)").first.map {
                try $0.decode(PostgresJSON.self).decode([String: StoredVariable].self)
            }
        }
    }

    /// Not inlined either, for the same reason as ``open(_:variable:kloud:account:)``.
    @inline(never)
    private func fileContents(_ file: FileRow) async throws -> String {
        if let content = file.content { return content }
        guard let key = file.s3Key else { throw ConnectionError(code: "kloud_file_missing") }
        return String(decoding: try await s3.getObject(bucket: bucket, key: key).body, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
