import Crypto
import Foundation
import KloudCore

/// Who is calling the Lambda Invoke API, as its SigV4 signature proves: a function of the
/// emulator signs with its own role's credentials, as in AWS, and may invoke only what its
/// manifest's `invokes` names, as IAM allows it there (infra/iam.tf).
struct InvokeCaller: Sendable {
    /// A function's credentials, by access key id.
    let functions: [String: (name: String, credentials: AWSCredentials)]

    init(functionCredentials: [String: AWSCredentials]) {
        var functions: [String: (name: String, credentials: AWSCredentials)] = [:]
        for (name, credentials) in functionCredentials { functions[credentials.accessKeyID] = (name, credentials) }
        self.functions = functions
    }

    /// What a request's `Authorization` header proves.
    enum Identity: Equatable {
        /// Signed by a function, correctly.
        case function(String)
        /// Signed with a function's key, but the signature does not match the request.
        case badSignature
        /// Not signed by a function (a developer's `aws lambda invoke`, a test): not checked.
        case other
    }

    /// The identity of a request with these parts; `headers` as received (with `host`).
    func identify(
        method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8]
    )
        -> Identity
    {
        guard let authorization = headers.first(where: { $0.name.lowercased() == "authorization" })?.value,
            let parsed = Authorization(authorization), let function = functions[parsed.accessKeyID]
        else { return .other }
        guard let date = headers.first(where: { $0.name.lowercased() == "x-amz-date" }).flatMap({ Self.date($0.value) })
        else { return .badSignature }
        let signedHeaders = Set(parsed.signedHeaders)
        let request = SignableRequest(
            method: method, path: path, queryItems: Self.queryItems(query),
            headers: headers.filter { signedHeaders.contains($0.name.lowercased()) }.map {
                SignableRequest.Header(name: $0.name, value: $0.value)
            }, body: body)
        let signer = SigV4Signer(service: parsed.service, region: parsed.region)
        // The body's own hash: a caller's claimed X-Amz-Content-SHA256 is not taken on trust.
        let payloadHash = SHA256.hash(data: body).hexDigits
        guard let canonical = try? signer.canonicalRequest(for: request, payloadHash: payloadHash),
            let stringToSign = try? signer.stringToSign(for: canonical, at: date),
            let signature = try? signer.signature(for: stringToSign, using: function.credentials, at: date),
            signature == parsed.signature
        else { return .badSignature }
        return .function(function.name)
    }

    /// The parts of `AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
    /// SignedHeaders=a;b, Signature=hex`.
    struct Authorization {
        var accessKeyID: String
        var region: String
        var service: String
        var signedHeaders: [String]
        var signature: String

        init?(_ header: String) {
            guard header.hasPrefix(SigV4Signer.algorithm + " ") else { return nil }
            var fields: [String: String] = [:]
            for part in header.dropFirst(SigV4Signer.algorithm.count + 1).split(separator: ",") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
            }
            let scope = (fields["Credential"] ?? "").split(separator: "/").map(String.init)
            guard scope.count == 5, let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"]
            else { return nil }
            accessKeyID = scope[0]
            region = scope[2]
            service = scope[3]
            self.signedHeaders = signedHeaders.split(separator: ";").map { String($0) }
            self.signature = signature
        }
    }

    /// `20261207T224800Z` as a date.
    static func date(_ text: String) -> Date? { amzDate.date(from: text) }

    private static let amzDate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }()

    private static func queryItems(_ query: String) -> [SignableRequest.QueryItem] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).removingPercentEncoding ?? String($0)
            }
            return SignableRequest.QueryItem(name: parts[0], value: parts.count > 1 ? parts[1] : "")
        }
    }
}
