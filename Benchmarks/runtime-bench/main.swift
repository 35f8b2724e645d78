import Foundation
import KloudLocal

// The runtime's benchmarks (`make bench`): cold start, warm overhead beside a plain socket
// runtime, binary size and memory. Prints one table; numbers are measured, never asserted.

let arguments = CommandLine.arguments
if ProcessInfo.processInfo.environment["BENCH_SOCKET_RUNTIME"] == "1" {
    SocketRuntime.run()
}

var binaryFolder = URL(fileURLWithPath: ".build/release")
var functionNames: [String] = []
var index = 1
while index < arguments.count {
    switch arguments[index] {
    case "--bin":
        binaryFolder = URL(fileURLWithPath: arguments[index + 1])
        index += 2
    case "--function":
        functionNames.append(arguments[index + 1])
        index += 2
    default:
        FileHandle.standardError.write(Data("usage: runtime-bench --bin FOLDER --function NAME...\n".utf8))
        exit(2)
    }
}

var table = BenchTable()
for name in functionNames {
    let binary = binaryFolder.appendingPathComponent(name)
    // A function of the project reads what its manifest lists; a probe has none.
    let manifestFile = URL(fileURLWithPath: "functions/\(name)/function.json")
    let manifest =
        FileManager.default.fileExists(atPath: manifestFile.path) ? try ManifestLoader.load(manifestFile) : nil
    let coldStart = try ColdStart.median(of: binary, manifest: manifest, runs: 20)
    table.add("cold start: \(name)", "\(String(format: "%.2f", coldStart)) ms (median of 20)", target: "≤ 10 ms")
    let size = try BinarySize.zipped(binary)
    table.add(
        "size: \(name)",
        "\(String(format: "%.2f", size.stripped)) MB stripped, \(String(format: "%.2f", size.zipped)) MB zipped",
        target: "≤ 8 MB zipped")
}

let warm = try await WarmOverhead.measure(
    probe: binaryFolder.appendingPathComponent("runtime-probe"), invocations: 2000)
table.add(
    "warm: runtime loop", "p50 \(warm.loop.p50) ms, p99 \(warm.loop.p99) ms, \(warm.loop.perSecond)/s", target: "")
table.add(
    "warm: plain socket runtime", "p50 \(warm.socket.p50) ms, p99 \(warm.socket.p99) ms, \(warm.socket.perSecond)/s",
    target: "")
table.add("warm: loop p50 / socket p50", String(format: "%.2f×", warm.ratio), target: "≤ 1.5×")
table.add("memory: warm no-op invocation", "Max Memory Used \(warm.maxMemoryUsedMB) MB", target: "≤ 16 MB")
let python = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".venv/bin/python")
let signing = try await SigV4Rate.measure(python: python)
table.add("SigV4 signatures/s, one core: KloudCore", "\(signing.swift)/s", target: "")
table.add("SigV4 signatures/s, one core: botocore", "\(signing.botocore)/s", target: "")
table.add(
    "SigV4: KloudCore / botocore", String(format: "%.1f×", Double(signing.swift) / Double(max(1, signing.botocore))),
    target: "≥ 10×")
table.print()
