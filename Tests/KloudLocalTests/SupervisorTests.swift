import Foundation
import Testing

@testable import KloudLocal

@Suite("Embedded service supervisor")
struct SupervisorTests {
    private func pythonServer(port: Int, name: String = "files") throws -> EmbeddedServiceSpec {
        let python = try #require(
            ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) })
        return EmbeddedServiceSpec(
            name: name, executable: URL(fileURLWithPath: python),
            arguments: [
                "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", NSTemporaryDirectory(),
            ],
            port: port, startTimeout: .seconds(60))
    }

    @Test func startsAServiceOnAFreePortAndStopsIt() async throws {
        let supervisor = ServiceSupervisor(log: LogRecorder().log())
        let port = try PortProbe.freePort()
        let pid = try await supervisor.start(pythonServer(port: port))
        #expect(PortProbe.isAccepting(port: port))
        #expect(await supervisor.runningServices["files"] == pid)
        await supervisor.stopAll()
        #expect(!PortProbe.isAccepting(port: port))
        #expect(kill(pid, 0) != 0, "the process is gone")
        #expect(await supervisor.runningServices.isEmpty)
    }

    @Test func serviceThatExitsWhileStartingIsReported() async throws {
        let supervisor = ServiceSupervisor(log: LogRecorder().log())
        let spec = EmbeddedServiceSpec(
            name: "broken", executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "exit 3"],
            port: try PortProbe.freePort())
        await #expect(throws: ServiceSupervisor.SupervisorError.self) { try await supervisor.start(spec) }
        #expect(await supervisor.runningServices.isEmpty)
    }

    @Test func serviceThatNeverListensTimesOutAndIsStopped() async throws {
        let supervisor = ServiceSupervisor(log: LogRecorder().log())
        let spec = EmbeddedServiceSpec(
            name: "silent", executable: URL(fileURLWithPath: "/bin/sleep"), arguments: ["30"],
            port: try PortProbe.freePort(), startTimeout: .milliseconds(300))
        await #expect(throws: ServiceSupervisor.SupervisorError.self) { try await supervisor.start(spec) }
        #expect(await supervisor.runningServices.isEmpty)
    }
}
