import Foundation
import KloudLocal
import Synchronization

/// Local AWS servers (moto, seeded as the emulator seeds it) that outlive the suites using them:
/// a watchdog stops each when the test process ends, so no test run leaves a moto server behind.
public enum SharedLocalAWS {
    private static let starting = Mutex<Task<LocalAWS, any Error>?>(nil)

    /// A local AWS of the caller's own, for suites that change its customer accounts (an
    /// estate, deployments).
    public static func start() async throws -> LocalAWS {
        try await launch()
    }

    /// The local AWS every suite that only needs KloudHub's own account shares (its functions'
    /// roles and database secrets, each suite under an installation of its own), started on
    /// first use.
    public static func common() async throws -> LocalAWS {
        let task = starting.withLock { task in
            if let task { return task }
            let started = Task { try await launch() }
            task = started
            return started
        }
        return try await task.value
    }

    private static func launch() async throws -> LocalAWS {
        let supervisor = ServiceSupervisor(log: EmulatorLog { _ in })
        let aws = try await LocalAWS.start(
            projectRoot: URL(fileURLWithPath: TestEnvironment.packageRoot), region: "us-east-1",
            supervisor: supervisor)
        if let moto = await supervisor.runningServices["local-aws"] {
            // Its output goes nowhere: a write to the closed pipe of an ended test process would
            // end the watchdog by SIGPIPE before it stops moto.
            _ = try ChildProcess.spawn(
                executable: "/bin/sh",
                arguments: [
                    "-c",
                    "exec >/dev/null 2>&1; while kill -0 \(getpid()); do sleep 1; done; kill \(moto)",
                ],
                environment: ["PATH": "/usr/bin:/bin"], output: { _ in })
        }
        return aws
    }
}
