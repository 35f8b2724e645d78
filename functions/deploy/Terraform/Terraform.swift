import FoundationEssentials
import Glibc
import KloudCore

/// Terraform as deploy runs it: the binary and provider plugins from configured paths (never
/// downloaded at run time), in a working folder of its own, with an environment made here and
/// nothing else of the function's.
struct Terraform: Sendable {
    /// The terraform executable; nil where there is none.
    let executable: String?
    /// The zip the executable is unpacked from at first use (the Lambda layer's).
    let archive: String?
    /// A filesystem mirror of the providers (the folder holding `registry.terraform.io`), or nil
    /// to let the CLI configuration's default apply.
    let pluginDirectory: String?
    /// Where providers unpacked from a packed mirror are kept between runs.
    let pluginCache: String?

    /// The Lambda layer's layout (scripts/package-terraform-layer.sh): terraform zipped, the
    /// providers as a packed mirror.
    static let layerArchive = "/opt/terraform/terraform.zip"
    static let layerProviders = "/opt/terraform/providers"

    /// The temporary folder runs work in (Lambda's /tmp).
    let temporaryFolder: String

    /// Terraform where the deploy function finds it: the Lambda layer's binary (unzipped into
    /// the temporary folder at first use, once per instance), else `terraform` on `searchPath`;
    /// the providers from `pluginDirectory` (this machine's mirror), else the layer's. Without
    /// any, the function still starts and serves what needs no Terraform.
    init(pluginDirectory configured: String?, searchPath: String?, temporaryFolder: String) {
        self.temporaryFolder = temporaryFolder
        if access(Self.layerArchive, R_OK) == 0 {
            executable = temporaryFolder + "/kloudhub-terraform/terraform"
            archive = Self.layerArchive
        } else {
            executable = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
                .map({ (folder: Substring) -> String in folder + "/terraform" }).first(where: { access($0, X_OK) == 0 })
            archive = nil
        }
        if let configured {
            pluginDirectory = configured
            pluginCache = nil
        } else if access(Self.layerProviders, R_OK) == 0 {
            // A packed mirror is unpacked by every init; the cache keeps one unpacked copy per
            // instance, which each run links to.
            pluginDirectory = Self.layerProviders
            pluginCache = temporaryFolder + "/kloudhub-terraform/plugin-cache"
            _ = mkdir(temporaryFolder + "/kloudhub-terraform", 0o700)
            _ = mkdir(pluginCache!, 0o700)
        } else {
            pluginDirectory = nil
            pluginCache = nil
        }
    }

    /// A new, empty working folder for one run or check.
    func scratchFolder(_ name: String) throws -> ScratchFolder {
        try ScratchFolder(name, in: temporaryFolder)
    }

    /// The variables every run starts from: no prompts, no update checks, the CLI configuration
    /// in `folder` (providers from the mirror only).
    func baseEnvironment(folder: String) -> [String: String] {
        var environment = [
            "HOME": folder, "PATH": "/usr/bin:/bin", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": folder + "/" + Self.cliConfigurationName,
        ]
        environment["TF_PLUGIN_CACHE_DIR"] = pluginCache
        return environment
    }

    static let cliConfigurationName = ".kloudhub.tfrc"

    /// The CLI configuration: install providers from the mirror and from nowhere else.
    var cliConfiguration: String {
        guard let pluginDirectory else { return "" }
        return """
            provider_installation {
              filesystem_mirror {
                path    = "\(pluginDirectory)"
                include = ["registry.terraform.io/*/*"]
              }
              direct {
                exclude = ["registry.terraform.io/*/*"]
              }
            }

            """
    }

    /// Runs `terraform arguments` in `folder`, handing its output to `output` as it comes;
    /// `stop` is asked every poll and, once true, Terraform is interrupted (it stops cleanly and
    /// releases its lock), then killed if it has not ended within `grace`.
    func run(
        _ arguments: [String], in folder: String, environment: [String: String], grace: Duration = .seconds(25),
        stop: () -> Bool = { false }, output: ([UInt8]) async -> Void
    ) async throws -> ChildProgram.Termination {
        let program = try ChildProgram(
            executable: try installedExecutable(), arguments: ["-chdir=\(folder)"] + arguments,
            environment: baseEnvironment(folder: folder).merging(environment) { _, given in given })
        var interruptedAt: ContinuousClock.Instant?
        return await program.wait(output: output) {
            if let interruptedAt {
                if ContinuousClock.now - interruptedAt > grace { program.kill() }
            } else if stop() {
                program.interrupt()
                interruptedAt = .now
            }
        }
    }
}

extension Terraform {
    /// The executable, unpacked from the layer's zip first if it has not been yet.
    func installedExecutable() throws -> String {
        guard let executable else {
            throw ConfigurationError(variable: "PATH", reason: "no terraform executable on it, and no Terraform layer")
        }
        if let archive, access(executable, X_OK) != 0 {
            _ = mkdir(temporaryFolder + "/kloudhub-terraform", 0o700)
            try ZipArchive(path: archive).extract("terraform", to: executable, mode: 0o700)
        }
        return executable
    }

    /// Whether runs can start here: an executable is known.
    var isAvailable: Bool { executable != nil }
}

/// A working folder under the system's temporary folder, removed with everything in it.
struct ScratchFolder: Sendable {
    let path: String

    /// A new, empty folder named after `name` in `base`.
    init(_ name: String, in base: String) throws {
        path = base + "/kloudhub-" + name
        remove()
        guard mkdir(path, 0o700) == 0 else { throw ScratchFolderError(path: path, code: errno) }
    }

    /// Writes `contents` at `relativePath`, making the folders on the way.
    func write(_ contents: [UInt8], at relativePath: String) throws {
        var folder = path
        for component in relativePath.split(separator: "/").dropLast() {
            folder += "/" + component
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                throw ScratchFolderError(path: folder, code: errno)
            }
        }
        let file = path + "/" + relativePath
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ScratchFolderError(path: file, code: errno) }
        defer { close(descriptor) }
        var offset = 0
        while offset < contents.count {
            let written = contents.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            guard written > 0 else { throw ScratchFolderError(path: file, code: errno) }
            offset += written
        }
    }

    /// Deletes the folder and everything in it.
    func remove() { Self.remove(path) }

    /// Deletes `path`: a file or link at once, a folder after what is in it (links are not
    /// followed).
    private static func remove(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if status.st_mode & S_IFMT == S_IFDIR, let folder = opendir(path) {
            var names: [String] = []
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(folder)
            for name in names { remove(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

struct ScratchFolderError: Error, CustomStringConvertible {
    var path: String
    var code: Int32
    var description: String { "\(path): \(String(cString: strerror(code)))" }
}
