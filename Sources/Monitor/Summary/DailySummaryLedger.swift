import Core
import SQLKit

/// Which days' summaries were sent (`monitor_summary_sent`), so that each goes out once however
/// many nodes run.
public struct DailySummaryLedger: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Takes the summary of `day` for `nodeID`; false when it was taken before.
    public func claim(day: Int64, nodeID: String, at time: Int64) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO monitor_summary_sent (day, node_id, sent_at) VALUES (\(bind: day), \(bind: nodeID), \(bind: time))
                ON CONFLICT (day) DO NOTHING RETURNING day
                """
            ).first() != nil
        }
    }
}
