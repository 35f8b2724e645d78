import Foundation
import LambdaRuntime

/// Fires scheduled functions as EventBridge would: an asynchronous invoke with a scheduled
/// event, at each time the manifest's expression gives.
struct ScheduleRunner: Sendable {
    let manifests: [FunctionManifest]
    let region: String
    let accountID: String
    /// How many schedule seconds pass per real second (1 normally; more in tests).
    let speedup: Double
    let fire: @Sendable (String, Invocation) -> Void

    /// Runs until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for manifest in manifests {
                guard let schedule = manifest.schedule else { continue }
                group.addTask { await runSchedule(schedule, of: manifest.name) }
            }
        }
    }

    private func runSchedule(_ schedule: Schedule, of function: String) async {
        let realStart = Date()
        var virtualNow = realStart
        while !Task.isCancelled {
            guard let next = schedule.nextFiring(after: virtualNow, start: realStart) else { return }
            let wait = next.timeIntervalSince(virtualNow) / speedup
            do { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) } catch { return }
            virtualNow = next
            fire(function, Self.invocation(for: function, at: next, region: region, accountID: accountID))
        }
    }

    /// The scheduled event for `function` firing at `date`.
    static func invocation(for function: String, at date: Date, region: String, accountID: String) -> Invocation {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let event = ScheduledEvent(
            id: UUID().uuidString.lowercased(), account: accountID, time: formatter.string(from: date), region: region,
            resources: ["arn:aws:events:\(region):\(accountID):rule/kloudhub-\(function)"])
        let payload = (try? JSONEncoder().encode(event)) ?? Data("{}".utf8)
        return Invocation(payload: payload)
    }
}

/// Scheduled events for on-demand firing (`kloudhub-local invoke` of a scheduled function).
public enum ScheduledEventFactory {
    /// The event EventBridge would send `function` now.
    public static func event(for function: String, region: String, accountID: String = "000000000000") -> Data {
        ScheduleRunner.invocation(for: function, at: Date(), region: region, accountID: accountID).payload
    }
}
