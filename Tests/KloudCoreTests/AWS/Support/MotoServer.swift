import Foundation
import KloudTestSupport

@testable import KloudCore

/// One moto server per test process, with signature checking on, shared by every test that
/// needs a local AWS; tests keep apart by unique names.
///
/// Started on first use on a free loopback port; an IAM user with an allow-all policy and an
/// access key is created while checks are off, then checks are switched on. The server is
/// stopped when the test process ends: it runs under a shell that kills it once this
/// process is gone. Its output goes to a log file, never to the test runner's pipes (which
/// would keep `swift test` waiting).
actor MotoServer {
    /// The running server and the key that signs for it.
    struct Endpoint: Sendable {
        let url: String
        let accessKeyID: String
        let secretAccessKey: String
        let userName: String

        var accountID: String { "123456789012" }
        var userARN: String { "arn:aws:iam::\(accountID):user/\(userName)" }
    }

    static let shared = MotoServer()

    private var starting: Task<Endpoint, any Error>?
    private var process: Process?

    /// The server, started on first call.
    func endpoint() async throws -> Endpoint {
        if let starting { return try await starting.value }
        let task = Task { try await launch() }
        starting = task
        return try await task.value
    }

    private func launch() async throws -> Endpoint {
        let script = AWSTestPaths.motoServerScript.path
        guard FileManager.default.fileExists(atPath: script) else {
            throw TestSupportError("moto_server_sigv4.py not found at \(script)")
        }
        let port = try LoopbackSocket.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("kloudhub-moto-\(port).log").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c",
            "\"$1\" \"$2\" -H 127.0.0.1 -p \"$3\" >\"$4\" 2>&1 </dev/null & child=$!; "
                + "while kill -0 \"$5\" 2>/dev/null; do sleep 0.5; done; kill $child 2>/dev/null; sleep 1; kill -9 $child 2>/dev/null",
            "moto", AWSTestPaths.python, script, String(port), log, String(getpid()),
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process

        let url = "http://127.0.0.1:\(port)"
        let http = HTTPClient()
        try await waitUntilReady(url: url, http: http, log: log)
        try await setAuthentication(url: url, http: http, remainingUnauthenticatedActions: "inf")
        let userName = uniqueName("kloudhub-test")
        let admin = AWSServiceClient(
            service: .iam,
            configuration: AWSConfiguration(
                region: "us-east-1",
                credentials: AWSCredentials(accessKeyID: "AKIDBOOTSTRAP", secretAccessKey: "bootstrap"),
                endpointURL: try AWSEndpoint(url: url)),
            httpClient: http, credentialsProvider: nil)
        var createUser = QueryRequest(action: "CreateUser")
        createUser.set("UserName", userName)
        _ = try await admin.query(createUser)
        var putPolicy = QueryRequest(action: "PutUserPolicy")
        putPolicy.set("UserName", userName)
        putPolicy.set("PolicyName", "allow-all")
        putPolicy.set(
            "PolicyDocument", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        _ = try await admin.query(putPolicy)
        var createKey = QueryRequest(action: "CreateAccessKey")
        createKey.set("UserName", userName)
        let key = try await admin.query(createKey)
        guard let accessKeyID = key.element(at: ["AccessKey", "AccessKeyId"])?.text,
            let secret = key.element(at: ["AccessKey", "SecretAccessKey"])?.text
        else { throw TestSupportError("moto created no access key") }
        try await setAuthentication(url: url, http: http, remainingUnauthenticatedActions: "0")
        return Endpoint(url: url, accessKeyID: accessKeyID, secretAccessKey: secret, userName: userName)
    }

    private func waitUntilReady(url: String, http: HTTPClient, log: String) async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let response = try? await http.execute(HTTPRequest(method: "GET", url: "\(url)/moto-api/data.json")),
                response.status == 200
            {
                return
            }
            if let process, !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw TestSupportError("moto did not start: \(output.suffix(2000))")
    }

    private func setAuthentication(url: String, http: HTTPClient, remainingUnauthenticatedActions: String) async throws
    {
        let response = try await http.execute(
            HTTPRequest(
                method: "POST", url: "\(url)/moto-api/reset-auth", headers: ["Content-Type": "text/plain"],
                body: .bytes(Array(remainingUnauthenticatedActions.utf8))))
        guard response.status == 200 else { throw TestSupportError("reset-auth answered \(response.status)") }
    }
}

extension MotoServer.Endpoint {
    /// A configuration pointing every service at moto, signed with the test user's key (or
    /// the same key id with another secret).
    func configuration(
        secretAccessKey: String? = nil,
        region: String = "us-east-1",
        retryStrategy: RetryStrategy = .standard
    ) throws -> AWSConfiguration {
        try AWSConfiguration(
            region: region,
            credentials: AWSCredentials(
                accessKeyID: accessKeyID, secretAccessKey: secretAccessKey ?? self.secretAccessKey),
            endpointURL: AWSEndpoint(url: url),
            retryStrategy: retryStrategy)
    }

    /// The same key id with a wrong secret, so every signature is wrong.
    func wronglySignedConfiguration() throws -> AWSConfiguration {
        try configuration(secretAccessKey: "wrong" + secretAccessKey.dropFirst(5))
    }
}
