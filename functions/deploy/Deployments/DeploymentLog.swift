import FoundationEssentials
import KloudCore

/// A deployment's log: Terraform's output, line by line, with anything that looks like a
/// credential redacted before it is kept, written to S3 as it grows (readable while Terraform
/// runs) and its size and last lines to the deployment's row.
actor DeploymentLog {
    static let maximumBytes = 8 * 1024 * 1024
    static let tailCharacters = 4000
    static let flushInterval: Duration = .seconds(2)

    let s3: S3Client
    let bucket: String
    let key: String
    /// Knows only key shapes until the run knows its secrets (``redact(with:)``).
    private var redactor = LogRedactor(secrets: [])
    /// Called after each write to S3 with the size and the last lines.
    let onFlush: @Sendable (Int, String) async throws -> Void

    private var text: [UInt8] = []
    private var partialLine: [UInt8] = []
    private var lastFlush = ContinuousClock.now
    private var isTruncated = false

    init(
        s3: S3Client, bucket: String, key: String,
        onFlush: @escaping @Sendable (Int, String) async throws -> Void
    ) {
        self.s3 = s3
        self.bucket = bucket
        self.key = key
        self.onFlush = onFlush
    }

    /// Redacts `redactor`'s secrets too from here on; set before any output that could hold them.
    func redact(with redactor: LogRedactor) { self.redactor = redactor }

    /// A line of KloudHub's own, between Terraform's commands.
    func note(_ line: String) async throws {
        try await append(Array("[kloudhub] \(line)\n".utf8))
    }

    /// Terraform's output as it comes; complete lines are kept, redacted.
    func append(_ chunk: [UInt8]) async throws {
        partialLine += chunk
        guard let lastNewline = partialLine.lastIndex(of: UInt8(ascii: "\n")) else {
            if partialLine.count > 64 * 1024 { keep(redactor.redact(partialLine)); partialLine = [] }
            return
        }
        keep(redactor.redact(Array(partialLine[...lastNewline])))
        partialLine = Array(partialLine[(lastNewline + 1)...])
        if ContinuousClock.now - lastFlush >= Self.flushInterval { try await flush() }
    }

    /// Writes what is kept so far (and any unfinished line) to S3.
    func flush() async throws {
        if !partialLine.isEmpty {
            keep(redactor.redact(partialLine + [UInt8(ascii: "\n")]))
            partialLine = []
        }
        lastFlush = .now
        _ = try await s3.putObject(bucket: bucket, key: key, body: text, contentType: "text/plain; charset=utf-8")
        let tail = String(decoding: text.suffix(Self.tailCharacters), as: UTF8.self)
        try await onFlush(text.count, String(tail.suffix(Self.tailCharacters)))
    }

    private func keep(_ lines: [UInt8]) {
        guard !isTruncated else { return }
        if text.count + lines.count > Self.maximumBytes {
            text += Array(
                "[kloudhub] the log is over \(Self.maximumBytes / 1024 / 1024) MB; the rest is not kept\n".utf8)
            isTruncated = true
        } else {
            text += lines
        }
    }
}

/// Takes credentials out of log text: every value known to be secret (the customer's
/// credentials, KloudHub's own, sensitive variables), and anything shaped like an AWS access key
/// id or secret access key.
struct LogRedactor: Sendable {
    static let placeholder = Array("[redacted]".utf8)
    let secrets: [[UInt8]]

    init(secrets: [String]) {
        // Longest first, so that a secret containing another is taken out whole.
        self.secrets = Set(secrets.filter { $0.utf8.count >= 4 }).map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    func redact(_ text: [UInt8]) -> [UInt8] {
        var result = text
        for secret in secrets { result = Self.replace(secret, in: result) }
        return Self.redactKeyShapes(result)
    }

    private static func replace(_ needle: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard haystack.count >= needle.count else { return haystack }
        var output: [UInt8] = []
        output.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if haystack[index] == needle[0], index + needle.count <= haystack.count,
                haystack[index..<(index + needle.count)].elementsEqual(needle)
            {
                output += placeholder
                index += needle.count
            } else {
                output.append(haystack[index])
                index += 1
            }
        }
        return output
    }

    /// `AKIA…`/`ASIA…` followed by 16 capitals or digits (an access key id), and a run of 40
    /// base64 characters standing alone (a secret access key).
    private static func redactKeyShapes(_ text: [UInt8]) -> [UInt8] {
        func isKeyIDCharacter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (48...57).contains(byte) }
        func isSecretCharacter(_ byte: UInt8) -> Bool {
            isKeyIDCharacter(byte) || (97...122).contains(byte) || byte == 43 || byte == 47
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let previousIsWord = index > 0 && isSecretCharacter(text[index - 1])
            if !previousIsWord, index + 20 <= text.count,
                ["AKIA", "ASIA"].contains(where: { text[index..<(index + 4)].elementsEqual($0.utf8) }),
                text[(index + 4)..<(index + 20)].allSatisfy(isKeyIDCharacter),
                index + 20 == text.count || !isKeyIDCharacter(text[index + 20])
            {
                output += placeholder
                index += 20
                continue
            }
            if !previousIsWord, index + 40 <= text.count, text[index..<(index + 40)].allSatisfy(isSecretCharacter),
                index + 40 == text.count || !isSecretCharacter(text[index + 40]),
                text[index..<(index + 40)].contains(where: { (97...122).contains($0) }),
                text[index..<(index + 40)].contains(where: { (65...90).contains($0) })
            {
                output += placeholder
                index += 40
                continue
            }
            output.append(text[index])
            index += 1
        }
        return output
    }
}
