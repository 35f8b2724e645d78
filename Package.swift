// swift-tools-version:6.0
import Foundation
import PackageDescription

// Every folder under functions/ that holds a function.json is one Lambda function: an
// executable product of the same name, built from that folder (DESIGN.md section 3).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let functionNames: [String] = {
    let folder = packageRoot.appendingPathComponent("functions")
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return entries.filter {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/function.json").path)
    }.sorted()
}()

let strictSwift: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let functionTargets: [Target] = functionNames.map { name in
    .executableTarget(
        name: name,
        dependencies: ["LambdaRuntime", "KloudCore"],
        path: "functions/\(name)",
        exclude: ["function.json", "events"],
        swiftSettings: strictSwift
    )
}

let package = Package(
    name: "KloudHub",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kloudhub-local", targets: ["kloudhub-local"]),
        .library(name: "LambdaRuntime", targets: ["LambdaRuntime"]),
    ] + functionNames.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        .target(
            name: "LambdaRuntime",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CLibCurl",
            path: "Sources/CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "KloudCore",
            dependencies: [
                "LambdaRuntime",
                "CLibPQ",
                "CLibCurl",
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "KloudLocal",
            dependencies: [
                "LambdaRuntime",
                "KloudCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "kloudhub-local",
            dependencies: [
                "KloudLocal",
                "KloudCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "runtime-probe",
            dependencies: ["LambdaRuntime"],
            path: "Tests/Fixtures/functions/runtime-probe",
            exclude: ["function.json", "events"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "kloudcore-probe",
            dependencies: ["LambdaRuntime", "KloudCore"],
            path: "Tests/Fixtures/functions/kloudcore-probe",
            exclude: ["function.json", "events"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "BenchSupport",
            dependencies: ["KloudCore", "KloudLocal"],
            path: "Benchmarks/BenchSupport",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "runtime-bench",
            dependencies: ["KloudLocal", "KloudCore", "LoopbackServers"],
            path: "Benchmarks/runtime-bench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "postgres-bench",
            dependencies: ["KloudCore", "KloudLocal", "LambdaRuntime"],
            path: "Benchmarks/postgres-bench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "oauth-bench",
            dependencies: ["BenchSupport", "KloudCore", "KloudLocal"],
            path: "Benchmarks/oauth-bench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "scan-bench",
            dependencies: ["BenchSupport", "KloudCore", "KloudLocal", "LoopbackServers"],
            path: "Benchmarks/scan-bench",
            exclude: ["sequential_scan.py"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "deploy-bench",
            dependencies: ["BenchSupport", "KloudCore", "KloudLocal"],
            path: "Benchmarks/deploy-bench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "mcp-bench",
            dependencies: ["BenchSupport", "KloudCore", "KloudLocal"],
            path: "Benchmarks/mcp-bench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "retention-bench",
            dependencies: ["BenchSupport", "KloudCore", "KloudLocal"],
            path: "Benchmarks/retention-bench",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "LambdaRuntimeTests",
            dependencies: ["LambdaRuntime"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "LoopbackServers",
            path: "Tests/LoopbackServers",
            swiftSettings: strictSwift
        ),
        .target(
            name: "KloudTestSupport",
            dependencies: [
                "KloudCore", "KloudLocal", "LoopbackServers", .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/KloudTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KloudCoreTests",
            dependencies: [
                "KloudCore", "KloudLocal", "KloudTestSupport", "LoopbackServers",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            exclude: ["Support/botocore_sigv4.py"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "FunctionTests",
            dependencies: ["KloudCore", "KloudLocal", "KloudTestSupport", "LambdaRuntime", "LoopbackServers"],
            exclude: ["Python"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KloudLocalTests",
            dependencies: [
                "KloudLocal", "LambdaRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "InfraTests",
            dependencies: [
                "KloudCore", "KloudLocal", "KloudTestSupport", "token", "authorize", "mcp", "scan", "deploy",
                "retention-sweep", "account-delete",
            ],
            exclude: ["Support/moto_server_fixed.py", "Support/terraform_aws.py", "Fixtures"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "MCPTests",
            dependencies: ["mcp", "KloudCore", "KloudLocal", "KloudTestSupport", "LambdaRuntime"],
            exclude: ["Support/mcp_sdk_client.py"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DeployTests",
            dependencies: ["deploy", "KloudCore", "LambdaRuntime"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ScanTests",
            dependencies: ["scan", "KloudCore", "KloudLocal", "KloudTestSupport", "LambdaRuntime"],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
    ] + functionTargets
)
