import Core
import SQLKit

/// How many messages the queue holds, by state.
public struct QueueCounts: Sendable, Equatable {
    /// Waiting for their first delivery attempt.
    public var active: Int
    /// Tried at least once and waiting for a retry.
    public var deferred: Int
    /// Kept without delivery (`posta queue hold`).
    public var held: Int
    /// Nothing left to try (failures whose bounce is being written, deliveries being recorded).
    public var other: Int

    public init(active: Int = 0, deferred: Int = 0, held: Int = 0, other: Int = 0) {
        self.active = active
        self.deferred = deferred
        self.held = held
        self.other = other
    }

    public var total: Int { active + deferred + held + other }
}

/// `posta check queue`: the number of queued messages against `-w`/`-c` (1500/2500 by default, as
/// the site watched its queue before).
public enum QueueCheck {
    public static let defaultThresholds = Thresholds(
        warning: ThresholdRange(end: 1500), critical: ThresholdRange(end: 2500))

    /// Counts `queue_message` rows by state, one query: a held message is held whatever its
    /// deliveries; otherwise deferred when a pending delivery was tried before, active when a
    /// pending delivery was not, other when nothing is pending.
    public static func counts(_ database: Database) async throws -> QueueCounts {
        try await database.snapshot { db in
            let rows = try await db.raw(
                """
                SELECT CASE
                  WHEN m.held THEN 'held'
                  WHEN EXISTS (SELECT 1 FROM queue_recipient r
                               WHERE r.message_id = m.id AND r.status = 'pending' AND r.attempts > 0) THEN 'deferred'
                  WHEN EXISTS (SELECT 1 FROM queue_recipient r
                               WHERE r.message_id = m.id AND r.status = 'pending') THEN 'active'
                  ELSE 'other' END AS state, COUNT(*) AS n
                FROM queue_message m GROUP BY 1
                """
            ).all()
            var counts = QueueCounts()
            for row in rows {
                let n = try row.decode(column: "n", as: Int.self)
                switch try row.decode(column: "state", as: String.self) {
                case "held": counts.held = n
                case "deferred": counts.deferred = n
                case "active": counts.active = n
                default: counts.other = n
                }
            }
            return counts
        }
    }

    /// Counts the queue (within `timeout`) and judges the total; UNKNOWN when it cannot be read.
    public static func run(_ database: Database, thresholds: Thresholds = defaultThresholds, timeout: Double) async
        -> PluginResult
    {
        switch await withDeadline(seconds: timeout, { try await counts(database) }) {
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
