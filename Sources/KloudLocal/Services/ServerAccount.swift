import Foundation
import Glibc

/// The user that runs `initdb` and `postgres`: the current one, or, when
/// that is root (which both refuse), the `postgres` system user through
/// `setpriv`, which then execs the server so that its pid is the server's.
struct ServerAccount: Sendable {
    /// An unprivileged user to switch to.
    struct User: Sendable {
        let name: String
        let uid: uid_t
        let gid: gid_t
    }

    /// The user to switch to; `nil` to run as the current user.
    let switchTo: User?
    private let setpriv: String?

    /// The account for this process.
    static func current() throws -> ServerAccount {
        guard geteuid() == 0 else { return ServerAccount(switchTo: nil, setpriv: nil) }
        guard let entry = getpwnam("postgres") else {
            throw EmbeddedPostgresError(.noUnprivilegedUser, detail: "running as root and no 'postgres' user")
        }
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let setpriv else {
            throw EmbeddedPostgresError(.noUnprivilegedUser, detail: "running as root and no setpriv (util-linux)")
        }
        let user = User(name: "postgres", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        return ServerAccount(switchTo: user, setpriv: setpriv)
    }

    /// The command line and environment that run `executable` as this account.
    func command(
        _ executable: String, _ arguments: [String]
    ) -> (executable: String, arguments: [String], environment: [String: String]) {
        var environment = ProcessInfo.processInfo.environment
        guard let switchTo, let setpriv else { return (executable, arguments, environment) }
        environment["HOME"] = "/tmp"
        environment["USER"] = switchTo.name
        environment["LOGNAME"] = switchTo.name
        return (
            setpriv,
            ["--reuid=\(switchTo.uid)", "--regid=\(switchTo.gid)", "--init-groups", "--", executable] + arguments,
            environment
        )
    }

    /// Runs a command to completion from `/`; returns its exit status and output (both streams).
    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let command = command(executable, arguments)
        let outcome = try CommandRunner.runBlocking(
            URL(fileURLWithPath: command.executable), command.arguments, environment: command.environment,
            workingDirectory: "/")
        return (outcome.status, String(decoding: outcome.output + outcome.errorOutput, as: UTF8.self))
    }

    /// Gives a file or folder, and everything in it, to `user`.
    static func changeOwner(ofTree path: String, to user: User) throws {
        var paths = [path]
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            while let relative = enumerator.nextObject() as? String { paths.append(path + "/" + relative) }
        }
        for item in paths where lchown(item, user.uid, user.gid) != 0 {
            throw EmbeddedPostgresError(.dataDirectoryUnreachable, detail: "cannot give \(item) to \(user.name)")
        }
    }

    /// Checks that `user` may enter every folder above `path`.
    static func checkReachable(_ path: String, by user: User) throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var folder = URL(fileURLWithPath: absolute).deletingLastPathComponent()
        while true {
            var info = stat()
            guard stat(folder.path, &info) == 0 else { break }
            let mode = info.st_mode
            let isOpen =
                (info.st_uid == user.uid && mode & S_IXUSR != 0)
                || (info.st_gid == user.gid && mode & S_IXGRP != 0)
                || mode & S_IXOTH != 0
            guard isOpen else {
                throw EmbeddedPostgresError(
                    .dataDirectoryUnreachable, detail: "\(user.name) cannot enter \(folder.path); use another folder")
            }
            if folder.path == "/" { break }
            folder.deleteLastPathComponent()
        }
    }
}
