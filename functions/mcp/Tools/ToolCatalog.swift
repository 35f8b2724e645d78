import LambdaRuntime

/// The tools the server offers, in the order `tools/list` shows them, and what a model is
/// told about KloudHub before it uses them.
struct ToolCatalog: Sendable {
    var tools: [Tool]

    init(_ tools: [Tool]) {
        self.tools = tools
    }

    /// Every read tool, and the operations a person may ask for (DESIGN.md section 8).
    static let standard = ToolCatalog([
        CloudAccountTools.list, ResourceTools.list, CostTools.summary, WasteFindingTools.list, ScanTools.list,
        ScanTools.get, ScanStartTool.tool, KloudTools.list, KloudTools.get, DeploymentTools.list, DeploymentTools.get,
        DeploymentStartTools.plan, DeploymentStartTools.apply, DeploymentStartTools.destroy, ShellTools.list,
        AnalysisTools.list, AnalysisTools.get,
    ])

    func tool(named name: String) -> Tool? { tools.first { $0.name == name } }

    static let instructions = """
        KloudHub connects a person's AWS accounts, scans them for every resource and its monthly cost, finds \
        waste (resources that cost money and do nothing) with the saving of each, keeps Klouds (Terraform \
        blueprints) and deploys them, and runs KloudPilot analyses. These tools read that data for the \
        signed-in KloudHub account only; they never reveal credentials.
        Start with list_cloud_accounts to learn the accounts and their ids. For spending, use get_cost_summary \
        (totals by service, region or account), then list_resources (most expensive first, filterable). For \
        savings, use list_waste_findings (largest saving first, with the total). Data is as fresh as the last \
        scan: list_scans and get_scan tell when that was and whether it succeeded; start_scan (write scope) \
        scans an account again. list_klouds, get_kloud, \
        list_deployments and get_deployment cover blueprints and their deployments; plan_kloud, apply_kloud and \
        destroy_kloud (write scope) run one, and apply or destroy change real resources, so confirm with the \
        person first. list_shells and \
        list_analyses the rest. Lists are paginated: pass next_cursor back as cursor. Amounts are US dollars \
        per month, as decimal strings.
        """
}
