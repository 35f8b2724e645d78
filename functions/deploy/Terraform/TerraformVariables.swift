import FoundationEssentials
import KloudCore
import LambdaRuntime

/// A Kloud's variables as Terraform reads them from the environment (`TF_VAR_name`), so that
/// no value, sensitive or not, is written to the working folder.
enum TerraformVariables {
    static func environment(_ variables: [String: JSONValue]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: variables.map { ("TF_VAR_" + $0.key, text(of: $0.value)) })
    }

    /// A string as it is; anything else as JSON, which Terraform parses as an HCL literal.
    static func text(of value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return (try? JSONStreamEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
