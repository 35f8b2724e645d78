import Foundation
import KloudLocal

/// Warm invocations of a no-op function through the emulator's Runtime API: the runtime loop
/// beside a minimal keep-alive socket runtime (this benchmark's own binary in another mode),
/// in the same run against the same emulator.
enum WarmOverhead {
    struct Result {
        var loop: LatencySummary
        var socket: LatencySummary
        var ratio: Double
        var maxMemoryUsedMB: Int
    }

    static func measure(probe: URL, invocations: Int) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = #"{"routes":[],"timeout":30,"memory":128,"reservedConcurrency":1"#
        for (name, bootstrap, environment) in [
            ("loop-noop", probe.path, ""),
            ("socket-noop", CommandLine.arguments[0], #","environment":{"BENCH_SOCKET_RUNTIME":"1"}"#),
        ] {
            let function = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: function, withIntermediateDirectories: true)
            try Data((manifest + environment + "}").utf8).write(to: function.appendingPathComponent("function.json"))
            try FileManager.default.createSymbolicLink(
                atPath: function.appendingPathComponent("bootstrap").path,
                withDestinationPath: URL(fileURLWithPath: bootstrap).standardizedFileURL.path)
        }
        var configuration = EmulatorConfiguration(functionFolders: [folder], binaryFolder: folder)
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        let log = LogRecorder()
        configuration.log = log.log()
        let emulator = try Emulator(configuration: configuration)
        _ = try await emulator.start()
        defer { Task { await emulator.shutdown() } }

        let payload = Data(#"{"action":"echo"}"#.utf8)
        var loop: LatencySummary?
        var socket: LatencySummary?
        for round in 0..<2 {
            for name in ["loop-noop", "socket-noop"] {
                let summary = try await series(emulator, name, payload, count: invocations)
                if round == 1 {
                    if name == "loop-noop" { loop = summary } else { socket = summary }
                }
            }
        }
        let memory =
            log.recorded.filter { $0.contains("[loop-noop] REPORT") }.last
            .flatMap { $0.components(separatedBy: "Max Memory Used: ").last?.split(separator: " ").first }
            .flatMap { Int($0) } ?? 0
        return Result(loop: loop!, socket: socket!, ratio: loop!.p50Value / socket!.p50Value, maxMemoryUsedMB: memory)
    }

    private static func series(
        _ emulator: Emulator, _ name: String, _ payload: Data, count: Int
    ) async throws
        -> LatencySummary
    {
        var samples: [Double] = []
        samples.reserveCapacity(count)
        let start = DispatchTime.now()
        for _ in 0..<count {
            let begin = DispatchTime.now()
            guard case .success = try await emulator.invoke(name, Invocation(payload: payload)) else {
                throw POSIXError(.EIO)
            }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1_000_000)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000_000
        return LatencySummary(milliseconds: samples, elapsedSeconds: elapsed)
    }
}

/// The baseline: the least a runtime can do, two requests on one keep-alive socket per
/// invocation, echoing the event, with no parsing beyond the headers.
enum SocketRuntime {
    static func run() -> Never {
        let address = ProcessInfo.processInfo.environment["AWS_LAMBDA_RUNTIME_API"]!
        let port = UInt16(address.split(separator: ":").last!)!
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var server = sockaddr_in()
        server.sin_family = sa_family_t(AF_INET)
        server.sin_port = port.bigEndian
        server.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &server) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            send(fd, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
            let (headers, body) = readResponse(fd, &buffer)
            let requestID = headers.split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("lambda-runtime-aws-request-id:") }!
                .split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
            send(
                fd,
                "POST /2018-06-01/runtime/invocation/\(requestID)/response HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n"
                    + body)
            _ = readResponse(fd, &buffer)
        }
    }

    private static func send(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    private static func readResponse(_ fd: Int32, _ buffer: inout [UInt8]) -> (String, String) {
        var received: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { exit(0) }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let head = String(text[..<end.lowerBound])
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let body = text[end.upperBound...]
            if body.utf8.count >= length { return (head, String(body)) }
        }
    }
}
