import Foundation
import KloudLocal

/// Runs `botocore_sigv4.py` once over a batch of requests and returns botocore's results.
///
/// The interpreter comes from `KLOUDHUB_PYTHON` (the project's venv), falling back to
/// `python3` on the PATH. Input and output go through temporary files rather than pipes, so a
/// large batch cannot fill a pipe and stall both processes.
enum BotocoreSigner {
    /// One request for botocore, in the script's input format.
    struct Input: Encodable {
        let id: Int
        let mode: String
        let service: String
        let region: String
        let accessKey: String
        let secretKey: String
        let token: String?
        let epoch: Int
        let method: String
        let host: String
        let rawPath: String
        let params: [[String]]
        let headers: [[String]]
        let bodyBase64: String
        let unsignedPayload: Bool
        let expires: Int

        enum CodingKeys: String, CodingKey {
            case id, mode, service, region, token, epoch, method, host, params, headers, expires
            case accessKey = "access_key"
            case secretKey = "secret_key"
            case rawPath = "raw_path"
            case bodyBase64 = "body_base64"
            case unsignedPayload = "unsigned_payload"
        }
    }

    /// What botocore signed and computed for one request.
    struct Output: Decodable {
        let id: Int
        let path: String
        let canonicalRequest: String
        let stringToSign: String
        let signature: String

        enum CodingKeys: String, CodingKey {
            case id, path, signature
            case canonicalRequest = "canonical_request"
            case stringToSign = "string_to_sign"
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func sign(_ inputs: [Input]) async throws -> [Output] {
        let encoder = JSONEncoder()
        var lines = Data()
        for input in inputs {
            lines.append(try encoder.encode(input))
            lines.append(0x0A)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "botocore-sigv4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputFile = folder.appendingPathComponent("input.jsonl")
        let outputFile = folder.appendingPathComponent("output.jsonl")
        try lines.write(to: inputFile)
        try Data().write(to: outputFile)

        let python = ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"] ?? "python3"
        let outcome = try await CommandRunner.run(
            URL(fileURLWithPath: "/bin/sh"),
            [
                "-c", #"exec "$0" "$1" < "$2" > "$3""#, python, SigV4TestPaths.botocoreScript.path, inputFile.path,
                outputFile.path,
            ])
        guard outcome.status == 0 else {
            let stderr = String(decoding: outcome.errorOutput, as: UTF8.self)
            throw Failure(description: "\(python) botocore_sigv4.py exited \(outcome.status): \(stderr)")
        }
        let decoder = JSONDecoder()
        return try Data(contentsOf: outputFile)
            .split(separator: 0x0A)
            .map { try decoder.decode(Output.self, from: Data($0)) }
    }
}
