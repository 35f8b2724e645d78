import FoundationEssentials
import KloudCore

/// `start_scan` (write scope): scans a connected AWS account again, by async invoke of the
/// scan function; `get_scan` follows it.
enum ScanStartTool {
    struct Started: Encodable, Sendable {
        var scanID: UUID
        var status: String
        var regions: [String]
    }

    static let tool = Tool(
        name: "start_scan", title: "Start a scan of a connected AWS account",
        description: """
            Starts a new scan of one connected AWS account: every resource, its monthly cost and the waste in it. \
            Returns at once with scan_id; the scan takes from seconds to minutes. Follow it with get_scan; when it \
            has succeeded, list_resources, get_cost_summary and list_waste_findings show its results. Needs the \
            kloudhub:write scope.
            """,
        input: InputSchema([
            .init(
                name: "cloud_account_id", description: "The connected cloud account to scan (list_cloud_accounts).",
                kind: .uuid, isRequired: true),
            .init(
                name: "regions",
                description: "Comma-separated AWS regions, e.g. us-east-1,eu-west-1; omit for every enabled region.",
                kind: .string(maxLength: 1000)),
        ]),
        outputSchema: OutputSchema.object([
            "scan_id": OutputSchema.uuid, "status": OutputSchema.string, "regions": OutputSchema.stringArray,
        ]),
        requiredScope: .write,
        run: { arguments, context in
            guard let scans = context.scans else {
                throw ToolFailure(message: "Scans cannot be started from here; start one in KloudHub's web app.")
            }
            let cloudAccountID = arguments.uuid("cloud_account_id")!
            let regions =
                arguments.string("regions").map {
                    Array(Set($0.split(separator: ",").map { String($0.trimmingASCIIWhitespace()) })).sorted()
                } ?? ["all"]
            guard regions == ["all"] || (1...64).contains(regions.count) && regions.allSatisfy(isRegionName) else {
                throw ToolFailure(message: "regions must be AWS region names such as us-east-1, separated by commas.")
            }
            let scanID = try context.read { transaction in
                guard
                    try transaction.query(
                        "select 1 from kloudhub.cloud_accounts where id = \(cloudAccountID) and status = 'connected'"
                    ).first != nil
                else { throw ToolFailure.notFound("connected cloud account", id: cloudAccountID) }
                return try transaction.query(
                    """
                    insert into kloudhub.scans (account_id, cloud_account_id, regions)
                    values (\(context.accountID), \(cloudAccountID), \(regions)) returning id
                    """
                ).first!.decode(UUID.self)
            }
            try await scans.start(ScanJob(scanID: scanID, accountID: context.accountID))
            return ToolOutput(
                summary: "Scan \(scanID.uuidString.lowercased()) started; call get_scan with this id to follow it.",
                structured: Started(scanID: scanID, status: "queued", regions: regions))
        })

    /// `xx-name-N`, the shape of an AWS region name.
    static func isRegionName(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return text.count <= 30 && parts.count >= 3 && parts[0].count == 2 && parts.last!.allSatisfy(\.isNumber)
            && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }
}
