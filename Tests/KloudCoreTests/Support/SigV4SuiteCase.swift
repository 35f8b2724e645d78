import Foundation
import KloudCore
import Testing

/// One folder of AWS's SigV4 test suite: its context, its request and the expected results.
struct SigV4SuiteCase: Sendable, CustomTestStringConvertible {
    /// The folder name, such as `get-vanilla-query-order-key-case`.
    let name: String

    var testDescription: String { name }

    /// Every case folder (those holding a `context.json`), sorted by name.
    static func all() -> [SigV4SuiteCase] {
        let folder = SigV4TestPaths.suiteFolder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted()
            .filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/context.json").path) }
            .map(SigV4SuiteCase.init(name:))
    }

    private var folder: URL { SigV4TestPaths.suiteFolder.appendingPathComponent(name) }

    /// The parsed `context.json`.
    func context() throws -> Context {
        try JSONDecoder().decode(Context.self, from: Data(contentsOf: folder.appendingPathComponent("context.json")))
    }

    /// The parsed `request.txt`.
    func request() throws -> RawHTTPRequest {
        try RawHTTPRequest(parsing: Array(Data(contentsOf: folder.appendingPathComponent("request.txt"))))
    }

    /// The parsed expected signed request (`header-signed-request.txt` or `query-…`), if present.
    func expectedSignedRequest(_ mode: Mode) throws -> RawHTTPRequest? {
        let url = folder.appendingPathComponent("\(mode.rawValue)-signed-request.txt")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try RawHTTPRequest(parsing: Array(Data(contentsOf: url)))
    }

    /// The text of an expected file for a mode (`canonical-request`, `string-to-sign`,
    /// `signature`), without a trailing line break, or nil when the case does not provide it.
    func expected(_ step: String, _ mode: Mode) throws -> String? {
        let url = folder.appendingPathComponent("\(mode.rawValue)-\(step).txt")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        var text = try String(contentsOf: url, encoding: .utf8)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Header signing or presigning.
    enum Mode: String, Sendable {
        case header
        case query
    }

    /// `context.json`: credentials, scope, time and the flags of a case.
    struct Context: Decodable {
        struct Credentials: Decodable {
            let accessKeyID: String
            let secretAccessKey: String
            let token: String?

            enum CodingKeys: String, CodingKey {
                case accessKeyID = "access_key_id"
                case secretAccessKey = "secret_access_key"
                case token
            }
        }

        let credentials: Credentials
        let expirationInSeconds: Int
        let normalize: Bool
        let region: String
        let service: String
        let signBody: Bool
        let timestamp: String
        let omitSessionToken: Bool?

        enum CodingKeys: String, CodingKey {
            case credentials, normalize, region, service, timestamp
            case expirationInSeconds = "expiration_in_seconds"
            case signBody = "sign_body"
            case omitSessionToken = "omit_session_token"
        }

        var awsCredentials: AWSCredentials {
            AWSCredentials(
                accessKeyID: credentials.accessKeyID,
                secretAccessKey: credentials.secretAccessKey,
                sessionToken: credentials.token
            )
        }

        /// The suite's flags as signer options: the suite's services double-encode paths,
        /// `normalize` normalizes them, `sign_body` adds `X-Amz-Content-SHA256`, and
        /// `omit_session_token` adds the token after signing.
        var signer: SigV4Signer {
            SigV4Signer(
                service: service,
                region: region,
                options: .init(
                    isPathDoubleEncoded: true,
                    isPathNormalized: normalize,
                    hasContentSHA256Header: signBody,
                    payloadHash: .bodySHA256,
                    isSessionTokenSigned: !(omitSessionToken ?? false)
                )
            )
        }

        func date() throws -> Date {
            try Date(timestamp, strategy: .iso8601)
        }
    }
}
