import Foundation
import KloudLocal

/// A local AWS (moto, seeded as the emulator seeds it) shared by a test process's suites and
/// never shut down by them: a watchdog stops it when the test process ends, so no test run
/// leaves a moto server behind.
public enum SharedLocalAWS {
    public static func start(log: EmulatorLog = EmulatorLog { _ in }) async throws -> LocalAWS {
        let supervisor = ServiceSupervisor(log: log)
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
