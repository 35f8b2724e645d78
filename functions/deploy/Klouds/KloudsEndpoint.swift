import FoundationEssentials
import KloudCore
import LambdaRuntime

/// Creating, reading, updating, listing and deleting Klouds. A Kloud is checked by Terraform
/// before it is saved; its errors come back with file and line (422).
struct KloudsEndpoint: Sendable {
    let store: KloudStore
    let validator: TerraformValidator
    let database: PostgresClient
    let caller: Caller

    struct Summary: Encodable {
        var id: UUID
        var name: String
        var description: String
        var origin: String
        var fileCount: Int
        var createdAt: Date
        var updatedAt: Date
    }

    func list() throws -> APIGatewayV2Response {
        let klouds = try database.transaction(scopedTo: caller.accountID) { transaction in
            try transaction.query(
                """
                select k.id, k.name, k.description, k.origin, k.created_at, k.updated_at,
                       (select count(*) from kloudhub.kloud_files f where f.kloud_id = k.id)::int
                from kloudhub.klouds k order by k.created_at desc
                """
            ).map { row in
                let (id, name, description, origin, createdAt, updatedAt, files) = try row.decode(
                    (UUID, String, String, String, Date, Date, Int).self)
                return Summary(
                    id: id, name: name, description: description, origin: origin, fileCount: files,
                    createdAt: createdAt, updatedAt: updatedAt)
            }
        }
        return APIResponse.snakeCaseJSON(.ok, ["klouds": klouds])
    }

    func create(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        try caller.require(.write)
        let draft = try request.jsonBody(KloudDraft.self, limit: KloudDraft.Limits.body).checked()
        if let refusal = try await refusal(of: draft) { return refusal }
        let id = try await saving { try await store.save(draft, id: nil, account: caller.accountID) }
        return APIResponse.snakeCaseJSON(.created, try await store.view(id, account: caller.accountID))
    }

    func update(_ id: UUID, _ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        try caller.require(.write)
        let draft = try request.jsonBody(KloudDraft.self, limit: KloudDraft.Limits.body).checked()
        if let refusal = try await refusal(of: draft) { return refusal }
        _ = try await saving { try await store.save(draft, id: id, account: caller.accountID) }
        return APIResponse.snakeCaseJSON(.ok, try await store.view(id, account: caller.accountID))
    }

    func show(_ id: UUID) async throws -> APIGatewayV2Response {
        guard let view = try await store.view(id, account: caller.accountID) else {
            throw APIError(.notFound, "not_found", "no such Kloud")
        }
        return APIResponse.snakeCaseJSON(.ok, view)
    }

    func delete(_ id: UUID) async throws -> APIGatewayV2Response {
        try caller.require(.write)
        try await store.delete(id, account: caller.accountID)
        return APIGatewayV2Response(statusCode: 204, headers: APIResponse.baseHeaders)
    }

    /// The 422 answer when Terraform finds errors in the files, nil when it finds none.
    private func refusal(of draft: KloudDraft) async throws -> APIGatewayV2Response? {
        let errors = try await validator.errors(in: draft.files)
        return errors.isEmpty ? nil : InvalidKloud(errors: errors).response
    }

    /// Saves, answering a name another Kloud of the account has with 409.
    private func saving(_ save: () async throws -> UUID) async throws -> UUID {
        do {
            return try await save()
        } catch let error as PostgresError where error.kind == .uniqueViolation {
            throw APIError(.conflict, "name_taken", "another Kloud already has this name")
        }
    }
}

/// Terraform's errors in a Kloud's files: 422 with each error's file and line.
struct InvalidKloud {
    var errors: [TerraformDiagnostic]

    var response: APIGatewayV2Response {
        struct Body: Encodable {
            var error = "invalid_kloud"
            var errorDescription: String
            var errors: [TerraformDiagnostic]
        }
        let first = errors[0]
        let place = first.file.map { "\($0)" + (first.line.map { ":\($0)" } ?? "") + ": " } ?? ""
        return APIResponse.snakeCaseJSON(
            .unprocessableContent,
            Body(
                errorDescription: "Terraform found \(errors.count) error(s); the first: \(place)\(first.summary)",
                errors: errors))
    }
}
