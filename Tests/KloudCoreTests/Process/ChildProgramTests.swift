import Foundation
import KloudCore
import Testing

/// The program runner deploy starts Terraform with: exactly the environment given, output and
/// errors as they come, the exit status, and a clean interrupt.
@Suite struct ChildProgramTests {
    @Test func runsWithExactlyTheGivenEnvironmentAndReportsTheExit() async throws {
        let program = try ChildProgram(
            executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; env | sort; exit 3"],
            environment: ["ONLY": "this"])
        var output: [UInt8] = []
        let ended = await program.wait { output += $0 }
        let text = String(decoding: output, as: UTF8.self)
        #expect(ended == .exited(3))
        #expect(text.contains("out\n") && text.contains("err\n") && text.contains("ONLY=this"))
        #expect(!text.contains("HOME=") && !text.contains("DATABASE_URL"))
    }

    @Test func anInterruptReachesTheProgramWhichEndsAsItChooses() async throws {
        let program = try ChildProgram(
            executable: "/bin/sh",
            arguments: ["-c", "trap 'echo stopping; exit 7' INT; echo ready; while true; do sleep 0.05; done"],
            environment: ["PATH": "/usr/bin:/bin"])
        var output = ""
        var interrupted = false
        let ended = await program.wait(output: { output += String(decoding: $0, as: UTF8.self) }) {
            if output.contains("ready"), !interrupted {
                program.interrupt()
                interrupted = true
            }
        }
        #expect(ended == .exited(7))
        #expect(output.contains("stopping"))
    }

    @Test func aMissingProgramIsALaunchError() {
        #expect(throws: ChildProgram.LaunchError.self) {
            try ChildProgram(executable: "/no/such/program", arguments: [], environment: [:])
        }
    }
}
