import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Testing

/// Each package of `make package` (dist/NAME.zip), unzipped into an otherwise empty root (but
/// for /proc, as in Lambda) and started there by chroot, serves its sample events from the
/// emulator's Runtime API, the authenticated ones answered 2xx from the database: nothing of
/// this machine's system (its glibc, libpq, libcurl) is needed, as on provided.al2023.
@Suite(.serialized) struct LambdaPackageTests {
    static let dist = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_PACKAGE_DIR"]
            ?? Terraform.packageRoot.appendingPathComponent("dist").path)
    static let functions = Terraform.packageRoot.appendingPathComponent("functions")

    static func packagedFunctions() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: functions.path).filter {
            FileManager.default.fileExists(atPath: functions.appendingPathComponent("\($0)/function.json").path)
        }.sorted()
    }

    @Test func everyFunctionIsPackagedWithinLambdaLimits() throws {
        for name in try Self.packagedFunctions() {
            let zip = Self.dist.appendingPathComponent("\(name).zip")
            let size = try #require(
                try? FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? Int, "run make package: \(name)")
            #expect(size < 50 * 1024 * 1024, "\(name).zip is \(size) bytes; Lambda takes 50 MB zipped")
        }
    }

    /// Lambda allows 250 MB unzipped for a function and its layers together: the Terraform
    /// layer must leave room for a function as large as the largest package.
    @Test func theTerraformLayerLeavesRoomForAFunction() async throws {
        let layer = try await Self.unzippedSize(Self.dist.appendingPathComponent("terraform-layer.zip"))
        var largest = 0
        for name in try Self.packagedFunctions() {
            largest = max(largest, try await Self.unzippedSize(Self.dist.appendingPathComponent("\(name).zip")))
        }
        #expect(layer + largest <= 250 * 1024 * 1024, "layer \(layer) + function \(largest) bytes unzipped")
    }

    static func unzippedSize(_ zip: URL) async throws -> Int {
        let listing = try await CommandRunner.run(URL(fileURLWithPath: "/usr/bin/unzip"), ["-Zt", zip.path])
        let words = listing.text.split(separator: " ")
        return try #require(listing.status == 0 ? Int(words.count > 2 ? words[2] : "") : nil, "unzip -Zt \(zip.path)")
    }

    @Test func everyPackageServesInvocationsFromAnEmptyRoot() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kloudhub-packages-\(UUID().uuidString.prefix(8))")
        let launchers = work.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: launchers, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let names = try Self.packagedFunctions()
        for name in names { try await Self.unpack(name, into: work, launchers: launchers) }

        let database = try await TestDatabase.create(label: "packages")
        defer { try? database.drop() }
        var configuration = EmulatorConfiguration(functionFolders: [Self.functions], binaryFolder: launchers)
        configuration.gatewayPort = 0
        configuration.lambdaPort = 0
        configuration.isSchedulerEnabled = false
        var urls: [DatabaseRole: String] = [:]
        for role in [DatabaseRole.api, .worker, .maintenance] {
            // The root has no socket folder: the packages reach PostgreSQL over loopback TCP.
            var url = database.setup.connectionString(for: role, database: database.name)
            url["host"] = "127.0.0.1"
            urls[role] = url.conninfo
        }
        try await configuration.deploy(
            on: try await SharedLocalAWS.common(), databaseURLs: urls, installation: database.name)
        let log = LogRecorder()
        configuration.log = log.log()
        let emulator = try Emulator(configuration: configuration)
        _ = try await emulator.start()
        let signIn = try #require(await emulator.developmentSignIn)
        let problems = try await SampleEvents.problems(
            functions: Self.functions, names: names, emulator: emulator, credentials: SampleCredentials(signIn: signIn))
        #expect(
            problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(log.recorded.suffix(40).joined(separator: "\n"))")
        await emulator.shutdown()
    }

    /// Unzips NAME.zip into its own root and writes a launcher that starts its bootstrap there.
    static func unpack(_ name: String, into work: URL, launchers: URL) async throws {
        let root = work.appendingPathComponent("root-\(name)")
        let zip = dist.appendingPathComponent("\(name).zip")
        try #require(FileManager.default.fileExists(atPath: zip.path), "run make package: \(zip.path)")
        let unzipped = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/unzip"), ["-q", zip.path, "-d", root.path])
        #expect(unzipped.status == 0, "\(unzipped.allText)")
        // The root holds only the package, /proc and /tmp, which Lambda's sandbox has too:
        // libdispatch's thread-pool monitor reads /proc/self/task and traps without it, and /tmp
        // is the one writable folder (an export is assembled there). /proc is mounted in a mount
        // namespace of the launcher's own, so nothing is left behind.
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("proc"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o1777])
        let launcher = launchers.appendingPathComponent(name)
        try """
        #!/bin/sh
        exec /usr/bin/unshare --mount /bin/sh -c "mount -t proc proc '\(root.path)/proc' && exec /usr/sbin/chroot '\(root.path)' /bootstrap"

        """.write(to: launcher, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: launcher.path)
    }
}
