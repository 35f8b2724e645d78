import Foundation
import KloudCore

/// A random request with everything needed to sign it here and in botocore.
///
/// The generator only makes requests on which botocore's signer is a fair judge; see
/// ``SigV4BotocoreTests`` for the differences it steers around and why.
struct RandomSigningCase {
    let id: Int
    let isPresigned: Bool
    let signer: SigV4Signer
    let credentials: AWSCredentials
    let date: Date
    let rawPath: String
    let request: SignableRequest
    let expires: Int
    let isPayloadUnsigned: Bool

    // MARK: - Pools

    private static let plainCharacters = (Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")).map(
        String.init)
    /// Reserved, unreserved-punctuation and non-ASCII characters, and the percent sign itself.
    private static let trickyCharacters = [
        " ", "-", ".", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@", "%", "?", "#", "[",
        "]", "\"", "<", ">", "\\", "^", "`", "{", "|", "}", "é", "ü", "ß", "ሴ", "日本", "😀", "e\u{301}",
    ]
    private static let headerValueCharacters =
        plainCharacters + ["-", "_", ".", "/", ",", ";", "=", "\"", "(", ")", ":", "@", "!", "*", "+", "?", "{", "}"]
    private static let base64Characters = plainCharacters + ["+", "/"]

    // MARK: - Generation

    init(id: Int, using random: inout SplitMix64) {
        self.id = id
        let isS3 = random.chance(0.4)
        isPresigned = random.chance(0.3)
        let service = isS3 ? "s3" : random.pick(["service", "execute-api", "sts", "ec2", "lambda", "es"])
        let region = random.pick(["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1", "cn-north-1"])
        isPayloadUnsigned = isS3 && (isPresigned || random.chance(0.5))

        var options: SigV4Signer.Options = isS3 ? .s3 : .standard
        options.payloadHash = isPayloadUnsigned ? .unsignedPayload : .bodySHA256
        signer = SigV4Signer(service: service, region: region, options: options)

        credentials = AWSCredentials(
            accessKeyID: "AKIA"
                + random.string(from: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").map(String.init), length: 16...16),
            secretAccessKey: random.string(from: Self.base64Characters, length: 40...40),
            sessionToken: random.chance(0.4)
                ? random.string(from: Self.base64Characters + ["="], length: 20...200) : nil
        )
        date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 946_684_800...2_208_988_800, using: &random)))
        expires = Int.random(in: 1...SigV4Signer.maximumExpiration, using: &random)

        rawPath = Self.randomPath(using: &random)
        let host = random.pick([
            "example.amazonaws.com", "bucket.s3.us-east-1.amazonaws.com", "localhost:4566", "127.0.0.1:9000",
        ])
        request = SignableRequest(
            method: random.pick(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]),
            path: SignableRequest.encodedPath(rawPath),
            queryItems: Self.randomQuery(uniqueNames: isPresigned, using: &random),
            headers: [.init(name: "Host", value: host)] + Self.randomHeaders(using: &random),
            body: isPresigned || random.chance(0.4)
                ? []
                : (0..<Int.random(in: 1...64, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
        )
    }

    /// Zero to four segments of plain and tricky characters, now and then `.`, `..` or empty,
    /// sometimes with a trailing slash.
    private static func randomPath(using random: inout SplitMix64) -> String {
        let segments = (0..<Int.random(in: 0...4, using: &random)).map { _ -> String in
            switch Int.random(in: 0..<10, using: &random) {
            case 0: "."
            case 1: ".."
            case 2: ""
            default: random.string(from: plainCharacters + trickyCharacters, length: 1...12)
            }
        }
        return "/" + segments.joined(separator: "/") + (random.chance(0.3) && !segments.isEmpty ? "/" : "")
    }

    /// Zero to five items; names repeat (header signing) and may be empty, values may be empty.
    private static func randomQuery(uniqueNames: Bool, using random: inout SplitMix64) -> [SignableRequest.QueryItem] {
        let namePool = [
            "Action", "Version", "a", "A", "b", "prefix", "list-type", "key with space", "ключ", "emoji😀", "", "x+y",
            "a=b", "tilde~", "Param-3", "%20",
        ]
        var items: [SignableRequest.QueryItem] = []
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            let name = random.pick(namePool)
            if uniqueNames && items.contains(where: { $0.name == name }) { continue }
            let value =
                random.chance(0.2) ? "" : random.string(from: plainCharacters + trickyCharacters, length: 1...16)
            items.append(.init(name: name, value: value))
        }
        return items
    }

    /// Zero to five headers, names repeating in different cases, values with runs of spaces
    /// and tabs, padding, folded lines and empty values; some are headers neither signer signs.
    private static func randomHeaders(using random: inout SplitMix64) -> [SignableRequest.Header] {
        let namePool = [
            "X-Amz-Meta-Color", "Content-Type", "X-Custom", "x-custom", "X-CUSTOM", "My-Header", "Accept",
            "Cache-Control",
            "If-Match", "User-Agent", "X-Amzn-Trace-Id", "Connection", "X-Amz-Date", "X-Amz-Target",
        ]
        return (0..<Int.random(in: 0...5, using: &random)).map { _ in
            var value = ""
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let separator = random.pick([" ", "  ", "\t", " \t ", "\n ", "\r\n\t", "\n    "])
                value += (value.isEmpty ? "" : separator) + random.string(from: headerValueCharacters, length: 1...10)
            }
            if random.chance(0.3) { value = random.pick([" ", "\t", "   "]) + value }
            if random.chance(0.3) { value += random.pick([" ", "\t", "   "]) }
            return .init(name: random.pick(namePool), value: value)
        }
    }

    // MARK: - Signing

    /// Signs the request here, as the case asks.
    func signed() throws -> SigV4Signer.SignedRequest {
        isPresigned
            ? try signer.presign(request, using: credentials, at: date, expiresIn: expires)
            : try signer.sign(request, using: credentials, at: date)
    }

    /// The same request in botocore's input format.
    var botocoreInput: BotocoreSigner.Input {
        BotocoreSigner.Input(
            id: id,
            mode: isPresigned ? "query" : "header",
            service: signer.service,
            region: signer.region,
            accessKey: credentials.accessKeyID,
            secretKey: credentials.secretAccessKey,
            token: credentials.sessionToken,
            epoch: Int(date.timeIntervalSince1970),
            method: request.method,
            host: request.headerValues(named: "host")[0],
            rawPath: rawPath,
            params: request.queryItems.map { [$0.name, $0.value] },
            headers: request.headers.map { [$0.name, $0.value] },
            bodyBase64: Data(request.body).base64EncodedString(),
            unsignedPayload: isPayloadUnsigned,
            expires: expires
        )
    }
}
