import Core
import SQLKit

/// The deliveries one node holds a claim on (`QueueRunner`'s lease on each `queue_recipient` row).
public struct QueueLeaseHolding: Sendable, Hashable, Codable {
    public var nodeID: String
    /// Deliveries whose lease runs: the node works on them now.
    public var live: Int
    /// Deliveries whose lease ran out without being renewed or released: the node died or hung
    /// while working on them; any node takes them over at its next claim.
    public var expired: Int
    /// When the last of the node's leases runs out (seconds since 1970).
    public var until: Int64

    public init(nodeID: String, live: Int, expired: Int, until: Int64) {
        self.nodeID = nodeID
        self.live = live
        self.expired = expired
        self.until = until
    }
}

extension MailQueue {
    /// Who holds which deliveries at `now`, by node.
    public func leaseHoldings(now: Int64) async throws -> [QueueLeaseHolding] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT locked_by,
                  SUM(CASE WHEN locked_until > \(bind: now) THEN 1 ELSE 0 END) AS live,
                  SUM(CASE WHEN locked_until > \(bind: now) THEN 0 ELSE 1 END) AS expired,
                  MAX(locked_until) AS until
                FROM queue_recipient WHERE locked_by IS NOT NULL GROUP BY locked_by ORDER BY locked_by
                """
            ).all().map { row in
                QueueLeaseHolding(
                    nodeID: try row.decode(column: "locked_by", as: String.self),
                    live: Int(try row.decode(column: "live", as: Int64.self)),
                    expired: Int(try row.decode(column: "expired", as: Int64.self)),
                    until: try row.decode(column: "until", as: Int64?.self) ?? 0)
            }
        }
    }
}
