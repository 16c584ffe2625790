import Core
import Queue

/// `posta check queue`: the number of queued messages against `-w`/`-c` (1500/2500 by default, as
/// the site watched its queue before).
public enum QueueCheck {
    public static let defaultThresholds = Thresholds(
        warning: ThresholdRange(end: 1500), critical: ThresholdRange(end: 2500))

    /// Counts the queue (within `timeout`) and judges the total; UNKNOWN when it cannot be read.
    public static func run(_ database: Database, thresholds: Thresholds = defaultThresholds, timeout: Double) async
        -> PluginResult
    {
        switch await withDeadline(seconds: timeout, { try await QueueCounts.read(database) }) {
        case .value(let counts): return result(counts, thresholds: thresholds)
        case .failed(let error): return .unknown("QUEUE", "cannot read the queue: \(DatabaseCheck.describe(error))")
        case .timedOut: return .unknown("QUEUE", "timed out after \(Perfdata.number(timeout)) s reading the queue")
        }
    }

    /// `POSTA QUEUE WARNING - 1734 messages (1500 deferred, 12 held) | total=1734;1500;2500;0 …`.
    public static func result(_ counts: QueueCounts, thresholds: Thresholds = defaultThresholds) -> PluginResult {
        var parts: [String] = []
        if counts.active > 0 { parts.append("\(counts.active) active") }
        if counts.deferred > 0 { parts.append("\(counts.deferred) deferred") }
        if counts.held > 0 { parts.append("\(counts.held) held") }
        if counts.other > 0 { parts.append("\(counts.other) other") }
        let noun = counts.total == 1 ? "message" : "messages"
        return PluginResult(
            service: "QUEUE", status: thresholds.status(of: Double(counts.total)),
            text: "\(counts.total) \(noun)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"),
            perfdata: [
                Perfdata("total", Double(counts.total), thresholds: thresholds, min: 0),
                Perfdata("active", Double(counts.active), min: 0),
                Perfdata("deferred", Double(counts.deferred), min: 0),
                Perfdata("held", Double(counts.held), min: 0),
                Perfdata("other", Double(counts.other), min: 0),
            ])
    }
}
