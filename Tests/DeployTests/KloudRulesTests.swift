import Foundation
import KloudCore
import LambdaRuntime
import Testing

@testable import deploy

/// The rules a Kloud's files and a deployment's log are held to, each at its edge.
@Suite struct KloudRulesTests {
    @Test(arguments: ["main.tf", "modules/network/vpc.tf", "config.tf.json", "prod.tfvars", "a-b_c.1.tf"])
    func acceptsTerraformFilesInsideTheKloud(_ path: String) throws {
        try KloudDraft.check(path: path)
    }

    @Test(arguments: [
        "../main.tf", "/main.tf", "a/../../main.tf", "./main.tf", "a//b.tf", "main.sh", "main.tf.bak",
        ".terraformrc.tf",
        "kloudhub_backend.tf", "dir/kloudhub_x.tf", "spaced name.tf", "ünicode.tf", "", "main.tf/",
        String(repeating: "a", count: 198) + ".tf",
    ])
    func refusesPathsThatEscapeOrAreNotTerraform(_ path: String) {
        #expect(throws: APIError.self) { try KloudDraft.check(path: path) }
    }

    @Test func limitsFilesAndSizes() throws {
        func draft(_ files: [KloudFile]) -> KloudDraft {
            KloudDraft(name: " n ", description: nil, origin: nil, files: files, variables: nil)
        }
        let atLimit = draft([
            KloudFile(path: "a.tf", content: String(repeating: "#", count: KloudDraft.Limits.fileBytes))
        ])
        #expect(try atLimit.checked().name == "n")
        let over = draft([
            KloudFile(path: "a.tf", content: String(repeating: "#", count: KloudDraft.Limits.fileBytes + 1))
        ])
        #expect(throws: APIError.self) { try over.checked() }
        let five = (0..<5).map {
            KloudFile(path: "f\($0).tf", content: String(repeating: "#", count: KloudDraft.Limits.fileBytes))
        }
        #expect(throws: APIError.self) { try draft(five).checked() }
        #expect(throws: APIError.self) { try draft([]).checked() }
        let twice = draft([KloudFile(path: "a.tf", content: ""), KloudFile(path: "a.tf", content: "")])
        #expect(throws: APIError.self) { try twice.checked() }
    }

    @Test func redactsKnownSecretsAndKeyShapes() {
        let redactor = LogRedactor(secrets: ["s3cr3t-value", "abc"])
        let text = """
            password = "s3cr3t-value"
            key AKIAABCDEFGHIJKLMNOP and ASIAABCDEFGHIJKLMNOP
            secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done
            AKIAABCDEFGHIJKLMNOPQ stays (21 characters), as does abc (too short to be a secret)
            """
        let redacted = String(decoding: redactor.redact(Array(text.utf8)), as: UTF8.self)
        #expect(!redacted.contains("s3cr3t-value"))
        #expect(!redacted.contains("AKIAABCDEFGHIJKLMNOP and") && !redacted.contains("ASIAABCDEFGHIJKLMNOP"))
        #expect(!redacted.contains("wJalrXUtnFEMI"))
        #expect(redacted.contains("AKIAABCDEFGHIJKLMNOPQ stays") && redacted.contains("abc (too short"))
        #expect(redacted.components(separatedBy: "[redacted]").count - 1 == 4)
    }

    @Test func summarizesAPlanAndKeepsOnlyNonSensitiveOutputs() {
        let plan = """
            {"resource_changes": [
              {"change": {"actions": ["create"]}}, {"change": {"actions": ["update"]}},
              {"change": {"actions": ["delete", "create"]}}, {"change": {"actions": ["no-op"]}},
              {"change": {"actions": ["delete"]}}, {"change": {"actions": ["read"]}}
            ]}
            """
        let summary = PlanSummary(planJSON: Array(plan.utf8))
        #expect(
            summary
                == PlanSummary(planJSON: Array(#"{"resource_changes": []}"#.utf8)).with(add: 2, change: 1, destroy: 2))
        let outputs = TerraformOutputs.nonSensitive(
            Array(
                #"{"url": {"sensitive": false, "type": "string", "value": "https://x"}, "pw": {"sensitive": true, "type": "string", "value": "p"}}"#
                    .utf8))
        #expect(outputs == ["url": .string("https://x")])
    }

    @Test func readsTerraformDiagnosticsWithFileAndLine() {
        let lines = [
            #"{"@level":"info","type":"version"}"#,
            #"{"@level":"error","type":"diagnostic","diagnostic":{"severity":"error","summary":"Invalid expression","detail":"Expected the start of an expression","range":{"filename":"main.tf","start":{"line":2,"column":12}}}}"#,
            #"{"@level":"error","type":"diagnostic","diagnostic":{"severity":"error","summary":"Terraform encountered problems during initialisation","detail":""}}"#,
            "not json",
        ].joined(separator: "\n")
        let found = TerraformValidator.diagnostics(inJSONLines: Array(lines.utf8))
        #expect(
            found == [
                TerraformDiagnostic(
                    file: "main.tf", line: 2, summary: "Invalid expression",
                    detail: "Expected the start of an expression")
            ])
    }

    @Test func passesVariablesThroughTheEnvironment() {
        let environment = TerraformVariables.environment([
            "name": .string("web"), "count": .number(3), "tags": .object(["a": .string("b")]),
        ])
        #expect(environment == ["TF_VAR_name": "web", "TF_VAR_count": "3", "TF_VAR_tags": #"{"a":"b"}"#])
    }
}

extension PlanSummary {
    fileprivate func with(add: Int, change: Int, destroy: Int) -> PlanSummary {
        var copy = self
        copy.add = add
        copy.change = change
        copy.destroy = destroy
        return copy
    }
}
