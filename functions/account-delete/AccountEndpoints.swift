import FoundationEssentials
import KloudCore
import LambdaRuntime

/// A person's account rights over HTTP: `DELETE /v1/account` and `GET /v1/account/export`, for a
/// signed-in person (a Clerk session) only (PP-rights, PP-delete).
struct AccountEndpoints: APIFunction {
    /// What the person must send to confirm a deletion: `{"confirmation": "delete my account"}`.
    static let confirmationPhrase = "delete my account"

    let authenticator: Authenticator
    let accounts: AccountDirectory
    let erasure: AccountErasure
    let handOff: ErasureHandOff
    let exporter: AccountExport
    let requestLog: RequestLog?

    func respond(to request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
        switch request.routeKey {
        case "DELETE /v1/account": return try await deleteAccount(request, context: context)
        case "GET /v1/account/export": return try await export(request)
        default: throw APIError.unknownRoute(request)
        }
    }

    // MARK: - Deletion

    private struct DeletionBody: Decodable {
        var confirmation: String?
    }

    /// The 202 answer: what happened, what happens next, and by when.
    private struct DeletionAnswer: Encodable {
        var status: String
        var requestedAt: Date
        var eraseBy: Date
        var completedSteps: [String]
        var message: String
    }

    /// Ends access at once and queues the erasure; repeating it answers the same.
    private func deleteAccount(
        _ request: APIGatewayV2Request, context: LambdaContext
    ) async throws
        -> APIGatewayV2Response
    {
        let session = try await authenticator.verifiedClerkSession(request)
        let body = try request.jsonBody(DeletionBody.self, limit: 4096)
        guard body.confirmation == Self.confirmationPhrase else {
            throw APIError(
                .badRequest, "confirmation_required",
                "deleting an account erases all its data and cannot be undone; to confirm, send "
                    + "{\"confirmation\": \"\(Self.confirmationPhrase)\"}")
        }
        guard let account = try accounts.find(clerkUserID: session.userID),
            let record = try erasure.begin(accountID: account.id, reason: .userRequest)
        else { throw APIError(.notFound, "not_found", "no KloudHub account belongs to this sign-in") }
        do {
            try await handOff.requestErasure(of: account.id, reason: .userRequest)
        } catch {
            context.logger.warning("erasure hand-off failed; the sweep will run it", metadata: ["error": "\(error)"])
        }
        let eraseBy = record.eraseBy.formatted(.iso8601)
        return APIResponse.json(
            .accepted,
            DeletionAnswer(
                status: "deletion_in_progress", requestedAt: record.requestedAt, eraseBy: record.eraseBy,
                completedSteps: record.steps.map(\.rawValue),
                message: "Your account is being deleted. Access ended now: your API keys, OAuth connections and "
                    + "sign-in no longer reach it. Your cloud credentials, scans, Klouds, deployments, stored files "
                    + "and every other piece of your data are being erased, usually within minutes and at the "
                    + "latest by \(eraseBy). KloudHub keeps only a record that the erasure happened, with dates and "
                    + "counts and no personal data."))
    }

    // MARK: - Export

    private struct DownloadAnswer: Encodable {
        var url: String
        var expiresAt: Date
        var sizeBytes: Int
    }

    /// The document itself, or (when large) a redirect to it in the exports bucket.
    private func export(_ request: APIGatewayV2Request) async throws -> APIGatewayV2Response {
        let caller = try await authenticator.authenticate(request, policy: .signedInPerson)
        guard let delivery = try await exporter.export(accountID: caller.accountID) else {
            throw APIError(.notFound, "not_found", "no KloudHub account belongs to this sign-in")
        }
        switch delivery {
        case .inline(let document):
            var headers = APIResponse.baseHeaders
            headers["Content-Type"] = "application/json"
            headers["Content-Disposition"] = "attachment; filename=\"kloudhub-export.json\""
            return APIGatewayV2Response(
                statusCode: HTTPStatus.ok.rawValue, headers: headers, body: String(decoding: document, as: UTF8.self))
        case .download(let url, let expiresAt, let size):
            return APIResponse.json(
                .seeOther, DownloadAnswer(url: url, expiresAt: expiresAt, sizeBytes: size), headers: ["Location": url])
        }
    }
}
