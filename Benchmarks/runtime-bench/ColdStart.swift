import Foundation
import KloudCore
import KloudLocal
import LoopbackServers

/// Cold start: from starting a function's process to its first `GET /next` on the Runtime API.
enum ColdStart {
    /// The median, in milliseconds, of `runs` cold starts of `binary`, given what `manifest`
    /// says the function reads.
    static func median(of binary: URL, manifest: FunctionManifest?, runs: Int) throws -> Double {
        // Secrets Manager, answering every GetSecretValue with a database secret as infra/ writes it.
        let answer = [
            "ARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:kloudhub-bench", "Name": "kloudhub-bench",
            "SecretString": #"{"url":"postgresql://kloudhub_bench@127.0.0.1:5432/kloudhub"}"#,
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self)
        let secrets = try LoopbackHTTPServer { _ in .json(200, body) }
        defer { secrets.stop() }
        let environment = try functionEnvironment(manifest, secretsEndpoint: secrets.url)
        var samples: [Double] = []
        for _ in 0..<runs { samples.append(try once(binary, environment: environment)) }
        return samples.sorted()[runs / 2]
    }

    /// What the function starts with in AWS: its manifest's settings (values of the right form),
    /// its database secret's ARN, which it reads at init from a loopback Secrets Manager (so the
    /// time is the function's own work plus one loopback round trip, where AWS adds its network
    /// latency), and its role's credentials.
    static func functionEnvironment(_ manifest: FunctionManifest?, secretsEndpoint: String) throws -> [String: String] {
        var environment = [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": secretsEndpoint,
        ]
        guard let manifest else { return environment }
        var values = try DevelopmentSignIn(origin: "http://127.0.0.1:3000").settings
        values[.publicURL] = "http://127.0.0.1:3000"
        values[.credentialsKey] = "alias/kloudhub-bench-credentials"
        values[.stateBucket] = "kloudhub-bench-state"
        values[.logsBucket] = "kloudhub-bench-logs"
        values[.blueprintsBucket] = "kloudhub-bench-blueprints"
        values[.exportsBucket] = "kloudhub-bench-exports"
        values[.functionNamePrefix] = ""
        values[.notificationSender] = "notifications@kloudhub.local"
        values[.mcpAllowedOrigins] = ""
        for setting in manifest.configuration { environment[setting.rawValue] = values[setting] ?? "" }
        if let role = manifest.databaseRole {
            environment[Setting.databaseSecret] =
                "arn:aws:secretsmanager:us-east-1:000000000000:secret:kloudhub-bench/database/\(role.rawValue)-AbCdEf"
        }
        return environment.merging(manifest.environment) { _, own in own }
    }

    private static func once(_ binary: URL, environment: [String: String]) throws -> Double {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let started = DispatchTime.now()
        let process = try ChildProcess.spawn(
            executable: binary.path, arguments: [],
            environment: environment.merging([
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(listener.port)", "AWS_LAMBDA_FUNCTION_NAME": "bench",
            ]) { _, runtime in runtime },
            output: { _ in })
        defer { process.send(SIGKILL) }
        try listener.waitForRequestLine(prefix: "GET /2018-06-01/runtime/invocation/next")
        return Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000
    }
}

/// A listening socket on a free loopback port that waits for one request line.
final class LoopbackListener {
    let port: Int
    private let fd: Int32

    init() throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress -> Bool in
                bind(listening, socketAddress, length) == 0 && listen(listening, 4) == 0
                    && getsockname(listening, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        fd = listening
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func waitForRequestLine(prefix: String) throws {
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { throw POSIXError(.ECONNABORTED) }
        defer { Glibc.close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains("\r\n") {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw POSIXError(.ECONNRESET) }
            received += buffer[0..<count]
        }
        guard String(decoding: received, as: UTF8.self).hasPrefix(prefix) else { throw POSIXError(.EPROTO) }
    }

    func close() { Glibc.close(fd) }
}

/// A function binary's size: stripped, and zipped as Lambda takes it.
enum BinarySize {
    static func zipped(_ binary: URL) throws -> (stripped: Double, zipped: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("size-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stripped = folder.appendingPathComponent("bootstrap")
        try run("/usr/bin/strip", ["-o", stripped.path, binary.path])
        try run("/usr/bin/zip", ["-q", "-9", "-j", folder.appendingPathComponent("function.zip").path, stripped.path])
        func megabytes(_ url: URL) throws -> Double {
            Double(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int) / 1_048_576
        }
        return (try megabytes(stripped), try megabytes(folder.appendingPathComponent("function.zip")))
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        guard try CommandRunner.runBlocking(URL(fileURLWithPath: tool), arguments).status == 0 else {
            throw POSIXError(.EIO)
        }
    }
}
