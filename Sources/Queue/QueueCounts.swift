import Core
import SQLKit

/// How many messages the queue holds, by state: `posta check queue`, the `posta_queue_messages`
/// gauge and the daily summary's queue peak all read it here.
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

    /// Counts `queue_message` rows by state, one query: a held message is held whatever its
    /// deliveries; otherwise deferred when a pending delivery was tried before, active when a
    /// pending delivery was not, other when nothing is pending.
    public static func read(_ database: Database) async throws -> QueueCounts {
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
}
