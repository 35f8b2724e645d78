import FoundationEssentials
import KloudCore
import LambdaRuntime

/// A person's scans: status, progress, counts, totals and warnings; deleting one deletes its
/// results (PP-data).
struct ScansEndpoint: Sendable {
    let database: PostgresClient
    let caller: Caller

    struct View: Encodable {
        var id: UUID
        var cloudAccountID: UUID
        var status: String
        var regions: [String]
        var unitsDone: Int
        var unitsTotal: Int
        var resourceCount: Int
        var unpricedCount: Int
        var findingCount: Int
        var totalMonthlyCost: Money
        var totalMonthlySaving: Money
        var warnings: RawJSON
        var errorCode: String?
        var createdAt: Date
        var startedAt: Date?
        var finishedAt: Date?
    }

    private static let columns = """
        select id, cloud_account_id, status, regions, jsonb_array_length(coalesce(progress -> 'done', '[]')),
               coalesce((progress ->> 'units')::integer, 0), resource_count, unpriced_count, finding_count,
               total_monthly_cost, total_monthly_saving, warnings, error_code, created_at, started_at, finished_at
        from kloudhub.scans
        """

    private static func view(_ row: PostgresRow) throws -> View {
        let (
            id, cloudAccountID, status, regions, done, total, resources, unpriced, findings, cost, saving, warnings,
            errorCode, createdAt, startedAt, finishedAt
        ) = try row.decode(
            (
                UUID, UUID, String, [String], Int, Int, Int, Int, Int, Money, Money, PostgresJSON, String?, Date, Date?,
                Date?
            ).self)
        return View(
            id: id, cloudAccountID: cloudAccountID, status: status, regions: regions, unitsDone: done,
            unitsTotal: total, resourceCount: resources, unpricedCount: unpriced, findingCount: findings,
            totalMonthlyCost: cost, totalMonthlySaving: saving, warnings: RawJSON(bytes: warnings.utf8),
            errorCode: errorCode, createdAt: createdAt, startedAt: startedAt, finishedAt: finishedAt)
    }

    func list() throws -> APIGatewayV2Response {
        let scans = try database.transaction(scopedTo: caller.accountID) { transaction in
            try transaction.query("\(unsafeRaw: Self.columns) order by created_at desc limit 100").map(Self.view)
        }
        return APIResponse.snakeCaseJSON(.ok, ["scans": scans])
    }

    func show(_ id: UUID) throws -> APIGatewayV2Response {
        let scan = try database.transaction(scopedTo: caller.accountID) { transaction in
            try transaction.query("\(unsafeRaw: Self.columns) where id = \(id)").first.map(Self.view)
        }
        guard let scan else { throw APIError(.notFound, "not_found", "no such scan") }
        return APIResponse.snakeCaseJSON(.ok, scan)
    }

    /// A finished scan and its results; a running one is refused.
    func delete(_ id: UUID) throws -> APIGatewayV2Response {
        try caller.require(.write)
        let status = try database.transaction(scopedTo: caller.accountID) { transaction in
            let status = try transaction.query("select status from kloudhub.scans where id = \(id)").first?.decode(
                String.self)
            if let status, status != "queued", status != "running" {
                _ = try transaction.execute("delete from kloudhub.scans where id = \(id)")
            }
            return status
        }
        guard let status else { throw APIError(.notFound, "not_found", "no such scan") }
        guard status != "queued", status != "running" else {
            throw APIError(.conflict, "scan_running", "a running scan cannot be deleted; disconnect stops it")
        }
        return APIGatewayV2Response(statusCode: 204, headers: APIResponse.baseHeaders)
    }
}

/// The regions KloudHub knows, and the shape of a role ARN.
enum AWSRegions {
    static let known: Set<String> = [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "sa-east-1", "mx-central-1",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
        "eu-south-2", "af-south-1", "me-south-1", "me-central-1", "il-central-1", "ap-south-1", "ap-south-2",
        "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
    ]

    /// The 12-digit account of `arn:aws:iam::123456789012:role/NAME`, or nil for another shape.
    static func accountID(ofRoleARN arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard arn.utf8.count <= 2048, parts.count == 6, parts[0] == "arn",
            ["aws", "aws-cn", "aws-us-gov"].contains(parts[1]),
            parts[2] == "iam", parts[3].isEmpty, parts[4].count == 12, parts[4].allSatisfy(\.isASCII),
            parts[4].allSatisfy(\.isNumber), parts[5].hasPrefix("role/"), parts[5].count > 5,
            !parts[5].contains(where: { $0.isWhitespace })
        else { return nil }
        return String(parts[4])
    }
}
