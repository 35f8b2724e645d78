import Foundation

/// Rows of measured numbers, printed as one aligned table.
struct BenchTable {
    private var rows: [(String, String, String)] = []

    mutating func add(_ name: String, _ value: String, target: String) { rows.append((name, value, target)) }

    func print() {
        let nameWidth = max(9, rows.map(\.0.count).max() ?? 0)
        let valueWidth = max(8, rows.map(\.1.count).max() ?? 0)
        func line(_ row: (String, String, String)) -> String {
            row.0.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + row.1.padding(toLength: valueWidth, withPad: " ", startingAt: 0) + "  " + row.2
        }
        Swift.print(line(("benchmark", "measured", "target")))
        Swift.print(String(repeating: "-", count: nameWidth + valueWidth + 12))
        rows.forEach { Swift.print(line($0)) }
    }
}

/// Latency percentiles and throughput of a series of timed calls.
struct LatencySummary {
    let p50: String
    let p99: String
    let perSecond: Int
    let p50Value: Double

    init(milliseconds samples: [Double], elapsedSeconds: Double) {
        let sorted = samples.sorted()
        p50Value = sorted[sorted.count / 2]
        p50 = String(format: "%.3f", p50Value)
        p99 = String(format: "%.3f", sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
        perSecond = Int(Double(samples.count) / elapsedSeconds)
    }
}
