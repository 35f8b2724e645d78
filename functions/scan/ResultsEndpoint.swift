import FoundationEssentials
import KloudCore
import LambdaRuntime

/// What the latest scans found, over REST: resources, cost totals and waste findings, read by
/// the same queries as MCP's `list_resources`, `get_cost_summary` and `list_waste_findings`.
struct ResultsEndpoint: Sendable {
    let database: PostgresClient
    let caller: Caller

    /// `GET /v1/resources`: most expensive first; `cloud_account_id`, `region`, `resource_type`,
    /// `min_monthly_cost`, `limit` (1 to 100, default 50) and `cursor` (the last page's
    /// `next_cursor`).
    func resources(_ request: APIGatewayV2Request) throws -> APIGatewayV2Response {
        let limit = try Self.limit(request, default: 50)
        let cursor = try Self.cursor(request, list: "resources")
        let filter = ScanResults.ResourceFilter(
            cloudAccountID: try Self.uuid(request, "cloud_account_id"), region: try Self.text(request, "region"),
            resourceType: try Self.text(request, "resource_type"),
            minimumMonthlyCost: try Self.money(request, "min_monthly_cost"))
        let after = try cursor.map { (try Self.money($0.key), $0.id) }
        let rows = try ScanResults.resources(
            filter, after: after, limit: limit + 1, accountID: caller.accountID, database: database)
        let page = PageCursor.split(rows, limit: limit, list: "resources") { ($0.monthlyCost.description, $0.id) }
        struct Page: Encodable {
            var resources: [ScanResults.Resource]
            var nextCursor: String?
        }
        return APIResponse.snakeCaseJSON(.ok, Page(resources: page.rows, nextCursor: page.nextCursor))
    }

    /// `GET /v1/costs`: totals grouped by `group_by` (`service`, `region` or `cloud_account`),
    /// optionally for one `cloud_account_id`.
    func costs(_ request: APIGatewayV2Request) throws -> APIGatewayV2Response {
        let grouping =
            try Self.text(request, "group_by").map { text throws(APIError) in
                guard let grouping = ScanResults.CostGrouping(rawValue: text) else {
                    throw invalid("group_by must be service, region or cloud_account")
                }
                return grouping
            } ?? .service
        let account = try Self.uuid(request, "cloud_account_id")
        let groups = try ScanResults.costGroups(
            by: grouping, cloudAccountID: account, accountID: caller.accountID, database: database)
        struct Summary: Encodable {
            var groupBy: String
            var totalMonthlyCost: Money
            var resourceCount: Int
            var groups: [ScanResults.CostGroup]
        }
        return APIResponse.snakeCaseJSON(
            .ok,
            Summary(
                groupBy: grouping.rawValue, totalMonthlyCost: groups.reduce(Money.zero) { $0 + $1.monthlyCost },
                resourceCount: groups.reduce(0) { $0 + $1.resourceCount }, groups: groups))
    }

    /// `GET /v1/waste-findings`: largest saving first, with the total saving and count of all
    /// that match; `rule`, `min_monthly_saving`, `status` (default open), `cloud_account_id`,
    /// `limit` (1 to 100, default 25) and `cursor`.
    func findings(_ request: APIGatewayV2Request) throws -> APIGatewayV2Response {
        let limit = try Self.limit(request, default: 25)
        let cursor = try Self.cursor(request, list: "waste-findings")
        let status = try Self.text(request, "status") ?? "open"
        guard ScanResults.findingStatuses.contains(status) else {
            throw invalid("status must be one of \(ScanResults.findingStatuses.joined(separator: ", "))")
        }
        let filter = ScanResults.FindingFilter(
            rule: try Self.text(request, "rule"), minimumMonthlySaving: try Self.money(request, "min_monthly_saving"),
            status: status, cloudAccountID: try Self.uuid(request, "cloud_account_id"))
        let after = try cursor.map { (try Self.money($0.key), $0.id) }
        let (rows, totals) = try database.transaction(scopedTo: caller.accountID) { transaction in
            (
                try ScanResults.findings(filter, after: after, limit: limit + 1, in: transaction),
                try ScanResults.findingTotals(filter, in: transaction)
            )
        }
        let page = PageCursor.split(rows, limit: limit, list: "waste-findings") {
            ($0.monthlySaving.description, $0.id)
        }
        struct Page: Encodable {
            var findings: [ScanResults.Finding]
            var totalMonthlySaving: Money
            var totalCount: Int
            var nextCursor: String?
        }
        return APIResponse.snakeCaseJSON(
            .ok,
            Page(
                findings: page.rows, totalMonthlySaving: totals.monthlySaving, totalCount: totals.count,
                nextCursor: page.nextCursor))
    }

    // MARK: query parameters

    private static func text(_ request: APIGatewayV2Request, _ name: String) throws(APIError) -> String? {
        guard let value = request.queryValue(name) else { return nil }
        guard (1...200).contains(value.count) else { throw invalid("\(name) must be 1 to 200 characters") }
        return value
    }

    private static func uuid(_ request: APIGatewayV2Request, _ name: String) throws(APIError) -> UUID? {
        guard let text = request.queryValue(name) else { return nil }
        guard let id = UUID(uuidString: text) else { throw invalid("\(name) must be a UUID") }
        return id
    }

    private static func money(_ request: APIGatewayV2Request, _ name: String) throws(APIError) -> Money? {
        guard let text = request.queryValue(name) else { return nil }
        guard let amount = Money(text), amount >= .zero else {
            throw invalid("\(name) must be an amount of dollars such as 10 or 12.50")
        }
        return amount
    }

    private static func money(_ key: String) throws(APIError) -> Money {
        guard let amount = Money(key) else { throw invalid("cursor is damaged; start again without one") }
        return amount
    }

    private static func limit(_ request: APIGatewayV2Request, default fallback: Int) throws(APIError) -> Int {
        guard let text = request.queryValue("limit") else { return fallback }
        guard let limit = Int(text), (1...100).contains(limit) else { throw invalid("limit must be 1 to 100") }
        return limit
    }

    private static func cursor(_ request: APIGatewayV2Request, list: String) throws(APIError) -> PageCursor? {
        guard let text = request.queryValue("cursor") else { return nil }
        guard let cursor = PageCursor.decode(text, list: list) else {
            throw invalid("cursor is not a next_cursor of this list; start again without one")
        }
        return cursor
    }
}

private func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
