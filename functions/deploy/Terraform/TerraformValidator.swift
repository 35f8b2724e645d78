import FoundationEssentials
import KloudCore
import LambdaRuntime

/// One problem Terraform found in a Kloud's files, where it is.
struct TerraformDiagnostic: Encodable, Sendable, Equatable {
    var file: String?
    var line: Int?
    var summary: String
    var detail: String?
}

/// Checks a Kloud's files as Terraform would before saving them: `terraform init
/// -backend=false` then `terraform validate`, in a scratch folder, providers from the mirror.
struct TerraformValidator: Sendable {
    let terraform: Terraform

    /// The errors Terraform reports; empty when the files are valid. Without Terraform, a Kloud
    /// cannot be checked and is refused (503), never saved unchecked.
    func errors(in files: [KloudFile]) async throws -> [TerraformDiagnostic] {
        guard terraform.isAvailable else {
            throw APIError(
                .serviceUnavailable, "validation_unavailable", "this installation cannot check Terraform files")
        }
        let folder = try terraform.scratchFolder("validate-" + UUID().uuidString.lowercased())
        defer { folder.remove() }
        try folder.write(Array(terraform.cliConfiguration.utf8), at: Terraform.cliConfigurationName)
        for file in files { try folder.write(Array(file.content.utf8), at: file.path) }

        var initOutput: [UInt8] = []
        let initialized = try await terraform.run(
            ["init", "-backend=false", "-input=false", "-no-color", "-json"], in: folder.path, environment: [:]
        ) { initOutput += $0 }
        guard initialized.succeeded else {
            let found = Self.diagnostics(inJSONLines: initOutput)
            return found.isEmpty ? [TerraformDiagnostic(summary: "terraform init failed", detail: nil)] : found
        }
        var validateOutput: [UInt8] = []
        _ = try await terraform.run(["validate", "-json", "-no-color"], in: folder.path, environment: [:]) {
            validateOutput += $0
        }
        struct Report: Decodable { var diagnostics: [Diagnostic] }
        guard let report = try? JSONDecoder().decode(Report.self, from: Data(validateOutput)) else {
            return [TerraformDiagnostic(summary: "terraform validate gave no report", detail: nil)]
        }
        return report.diagnostics.filter { $0.severity == "error" }.map(\.diagnostic)
    }

    /// Terraform's machine-readable diagnostic.
    struct Diagnostic: Decodable {
        struct Range: Decodable {
            struct Position: Decodable { var line: Int }
            var filename: String
            var start: Position
        }
        var severity: String
        var summary: String
        var detail: String?
        var range: Range?

        var diagnostic: TerraformDiagnostic {
            TerraformDiagnostic(
                file: range?.filename, line: range?.start.line, summary: summary,
                detail: detail.flatMap { $0.isEmpty ? nil : String($0.prefix(1000)) })
        }
    }

    /// The errors in `-json` output: one JSON message per line, diagnostics among them. The
    /// closing "problems during initialisation" message, which names no file, is left out when
    /// others say what the problems are.
    static func diagnostics(inJSONLines output: [UInt8]) -> [TerraformDiagnostic] {
        struct Message: Decodable {
            var type: String?
            var diagnostic: Diagnostic?
        }
        let found = output.split(separator: UInt8(ascii: "\n")).compactMap { line -> TerraformDiagnostic? in
            guard let message = try? JSONDecoder().decode(Message.self, from: Data(line)),
                message.type == "diagnostic", let diagnostic = message.diagnostic, diagnostic.severity == "error"
            else { return nil }
            return diagnostic.diagnostic
        }
        let located = found.filter { $0.file != nil }
        return located.isEmpty ? found : located
    }
}
