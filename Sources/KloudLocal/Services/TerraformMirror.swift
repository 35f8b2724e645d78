import Foundation

/// Where this machine keeps the Terraform providers as a filesystem mirror (the folder holding
/// `registry.terraform.io`), so that deploy installs them from there and never downloads:
/// `KLOUDHUB_TERRAFORM_MIRROR` when set, else the places such a mirror is usually kept. The
/// emulator finds it itself, however it is started (`scripts/terraform-mirror.sh` looks in the
/// same places for the Makefile and the tests).
public enum TerraformMirror {
    /// The folders looked in, in order.
    static func candidates(environment: [String: String]) -> [String] {
        let home = environment["HOME"] ?? "/root"
        return [
            environment["KLOUDHUB_TERRAFORM_MIRROR"] ?? "", "/opt/tf-plugins", "/usr/share/terraform/plugins",
            "/usr/local/share/terraform/plugins", home + "/.terraform.d/plugins",
            home + "/.local/share/terraform/plugins",
        ].filter { !$0.isEmpty }
    }

    /// The first candidate holding the AWS provider for this platform, or nil.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let fileManager = FileManager.default
        for folder in candidates(environment: environment) {
            let provider = folder + "/registry.terraform.io/hashicorp/aws"
            let versions = (try? fileManager.contentsOfDirectory(atPath: provider)) ?? []
            if versions.contains(where: { fileManager.fileExists(atPath: provider + "/" + $0 + "/linux_amd64") }) {
                return folder
            }
        }
        return nil
    }
}
