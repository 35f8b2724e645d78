import FoundationEssentials
import KloudCore
import LambdaRuntime

/// One Terraform file of a Kloud.
struct KloudFile: Codable, Sendable, Equatable {
    var path: String
    var content: String
}

/// A variable as a person gives it: a value (any JSON), whether it is sensitive, what it is for.
/// A sensitive variable given without a value keeps the value it had.
struct VariableDraft: Decodable, Sendable {
    var value: JSONValue?
    var sensitive: Bool?
    var description: String?
}

/// A Kloud as a create or update request gives it, checked against the limits before anything
/// is stored.
struct KloudDraft: Decodable, Sendable {
    var name: String
    var description: String?
    var origin: String?
    var files: [KloudFile]
    var variables: [String: VariableDraft]?

    /// What one Kloud may hold. The body must reach the function: API Gateway escapes it into
    /// the event's JSON, which can double it (every quote and backslash), and Lambda takes 6 MB,
    /// so 2.5 MB of body is the most that always fits.
    enum Limits {
        static let body = 2_621_440
        static let files = 100
        static let fileBytes = 1024 * 1024
        static let totalBytes = 2 * 1024 * 1024
        static let pathLength = 200
        static let variables = 100
        static let valueBytes = 16 * 1024
    }

    static let extensions = [".tf", ".tf.json", ".tfvars"]

    /// The draft with its name trimmed, or a 400 naming the first thing wrong.
    func checked() throws(APIError) -> KloudDraft {
        var draft = self
        draft.name = name.trimmingASCIIWhitespace()
        guard (1...200).contains(draft.name.count) else { throw invalid("name must be 1 to 200 characters") }
        guard (description ?? "").count <= 4000 else { throw invalid("description must be at most 4000 characters") }
        guard ["written", "generated", nil].contains(origin) else {
            throw invalid("origin must be written or generated")
        }
        guard (1...Limits.files).contains(files.count) else {
            throw invalid("a Kloud has 1 to \(Limits.files) files", code: "too_many_files")
        }
        var seen = Set<String>()
        var total = 0
        for file in files {
            try Self.check(path: file.path)
            guard seen.insert(file.path).inserted else { throw invalid("\(file.path) is given twice") }
            let size = file.content.utf8.count
            guard size <= Limits.fileBytes else {
                throw invalid("\(file.path) is over \(Limits.fileBytes / 1024) KB", code: "file_too_large")
            }
            total += size
        }
        guard total <= Limits.totalBytes else {
            throw invalid("the files together are over \(Limits.totalBytes / 1024 / 1024) MB", code: "kloud_too_large")
        }
        let variables = variables ?? [:]
        guard variables.count <= Limits.variables else {
            throw invalid("a Kloud has at most \(Limits.variables) variables")
        }
        for (name, variable) in variables {
            guard Self.isVariableName(name) else {
                throw invalid("variable \(name.prefix(64)) must be a Terraform identifier of at most 64 characters")
            }
            guard (variable.description ?? "").count <= 1000 else {
                throw invalid("variables.\(name).description must be at most 1000 characters")
            }
            if let value = variable.value {
                guard (try? JSONStreamEncoder().encode(value).count).map({ $0 <= Limits.valueBytes }) == true else {
                    throw invalid("variables.\(name).value is over \(Limits.valueBytes / 1024) KB")
                }
            }
        }
        return draft
    }

    /// A relative path inside the Kloud, to a Terraform file: no `..`, no absolute path, no
    /// hidden or reserved name.
    static func check(path: String) throws(APIError) {
        let shown = String(path.prefix(100))
        guard !path.isEmpty, path.count <= Limits.pathLength else {
            throw invalid("file paths must be 1 to \(Limits.pathLength) characters", code: "invalid_path")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        guard
            components.allSatisfy({
                !$0.isEmpty && $0 != "." && $0 != ".." && !$0.hasPrefix(".") && $0.allSatisfy(allowed.contains)
            })
        else {
            throw invalid(
                "\(shown) is not a path inside the Kloud (letters, digits, _ . - and /; no .., no leading / or .)",
                code: "invalid_path")
        }
        guard extensions.contains(where: { path.hasSuffix($0) }) else {
            throw invalid("\(shown) is not a Terraform file (.tf, .tf.json or .tfvars)", code: "invalid_path")
        }
        guard !components.last!.hasPrefix("kloudhub_") else {
            throw invalid("\(shown): names starting with kloudhub_ are KloudHub's own", code: "invalid_path")
        }
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_", name.count <= 64 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

private func invalid(_ message: String, code: String = "invalid_request") -> APIError {
    APIError(.badRequest, code, message)
}
