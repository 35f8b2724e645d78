import FoundationEssentials
import KloudCore

/// `plan_kloud`, `apply_kloud` and `destroy_kloud` (write scope): queue a Terraform run of a
/// Kloud into a connected cloud account, by async invoke of the deploy function;
/// `get_deployment` follows it.
enum DeploymentStartTools {
    struct Started: Encodable, Sendable {
        var deploymentID: UUID
        var action: String
        var status: String
    }

    static let plan = tool(
        .plan, title: "Plan a Kloud",
        what: "Runs terraform plan of a Kloud against a connected AWS account and records what would change, "
            + "changing nothing in the account.")
    static let apply = tool(
        .apply, title: "Apply a Kloud",
        what: "Runs terraform plan and apply of a Kloud in a connected AWS account: creates or changes real "
            + "resources there, which may cost money. Confirm with the person before calling it.")
    static let destroy = tool(
        .destroy, title: "Destroy a Kloud's resources",
        what: "Runs terraform destroy of a Kloud in a connected AWS account: deletes every resource the Kloud "
            + "created there. Confirm with the person before calling it.")

    private static func tool(_ action: DeploymentAction, title: String, what: String) -> Tool {
        Tool(
            name: "\(action.rawValue)_kloud", title: title,
            description: what + " Returns at once with deployment_id; the run takes from seconds to minutes. "
                + "Follow it with get_deployment (status, plan summary, last log lines). At most one deployment "
                + "of a Kloud into a cloud account runs at a time. Needs the kloudhub:write scope.",
            input: InputSchema([
                .init(name: "kloud_id", description: "The Kloud to run (list_klouds).", kind: .uuid, isRequired: true),
                .init(
                    name: "cloud_account_id",
                    description: "The connected cloud account to run it in (list_cloud_accounts).",
                    kind: .uuid, isRequired: true),
            ]),
            outputSchema: OutputSchema.object([
                "deployment_id": OutputSchema.uuid, "action": OutputSchema.oneOf(DeploymentTools.actions),
                "status": OutputSchema.string,
            ]),
            requiredScope: .write,
            run: { arguments, context in
                guard let deployments = context.deployments else {
                    throw ToolFailure(message: "Klouds cannot be deployed from here; use KloudHub's web app.")
                }
                let kloudID = arguments.uuid("kloud_id")!
                let cloudAccountID = arguments.uuid("cloud_account_id")!
                let queued: DeploymentQueue.Queued
                do {
                    queued = try await deployments.queue(
                        kloudID: kloudID, cloudAccountID: cloudAccountID, action: action, idempotencyKey: nil,
                        account: context.accountID)
                } catch let refusal as DeploymentQueue.Refusal {
                    switch refusal {
                    case .kloudNotFound: throw ToolFailure.notFound("Kloud", id: kloudID)
                    case .cloudAccountNotFound: throw ToolFailure.notFound("cloud account", id: cloudAccountID)
                    case .cloudAccountNotConnected(let status):
                        throw ToolFailure(message: "The cloud account is \(status), not connected; reconnect it first.")
                    case .alreadyActive(let active):
                        throw ToolFailure(
                            message:
                                "Deployment \(active.uuidString.lowercased()) of this Kloud into this cloud account "
                                + "is still queued or running; follow it with get_deployment and try again when it ends."
                        )
                    case .notStarted:
                        throw ToolFailure(message: "KloudHub could not start the run just now; try again shortly.")
                    }
                }
                let id = queued.id.uuidString.lowercased()
                return ToolOutput(
                    summary:
                        "\(action.rawValue.capitalized) \(id) queued; call get_deployment with this id to follow it.",
                    structured: Started(deploymentID: queued.id, action: action.rawValue, status: "queued"))
            })
    }
}

extension String {
    fileprivate var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
