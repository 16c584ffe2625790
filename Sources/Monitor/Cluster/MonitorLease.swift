import Core
import SQLKit

/// Named leases in `monitor_lease`: a cluster-wide job (the compromised-account evaluation, the
/// daily summary) runs on the node that holds its lease, so one node at a time does it. A lease
/// is held until it expires; the holder renews it on each run, and when the holder dies another
/// node takes it over once it has expired.
public struct MonitorLease: Sendable {
    public let database: Database
    public let nodeID: String

    public init(database: Database, nodeID: String) {
        self.database = database
        self.nodeID = nodeID
    }

    /// Takes or renews the lease `name` until `now + duration`; false when another node holds it
    /// and it has not expired. One statement, so two nodes asking at once cannot both win.
    public func acquire(_ name: String, now: Int64, duration: Int64) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO monitor_lease (name, node_id, expires_at)
                VALUES (\(bind: name), \(bind: nodeID), \(bind: now + duration))
                ON CONFLICT (name) DO UPDATE SET node_id = excluded.node_id, expires_at = excluded.expires_at
                WHERE monitor_lease.node_id = excluded.node_id OR monitor_lease.expires_at <= \(bind: now)
                RETURNING node_id
                """
            ).first() != nil
        }
    }

    /// Gives the lease back if this node holds it (a clean stop): another node may take it at once.
    public func release(_ name: String) async throws {
        try await database.withConnection { db in
            try await db.raw(
                "DELETE FROM monitor_lease WHERE name = \(bind: name) AND node_id = \(bind: nodeID)"
            ).run()
        }
    }

    /// Every lease with its holder and expiry, by name (expired ones too, until taken over).
    public static func all(database: Database) async throws -> [(name: String, nodeID: String, expiresAt: Int64)] {
        try await database.snapshot { db in
            try await db.raw("SELECT name, node_id, expires_at FROM monitor_lease ORDER BY name").all().map { row in
                (
                    try row.decode(column: "name", as: String.self), try row.decode(column: "node_id", as: String.self),
                    try row.decode(column: "expires_at", as: Int64.self)
                )
            }
        }
    }

    /// The node holding `name` and until when, if anyone does.
    public func holder(_ name: String) async throws -> (nodeID: String, expiresAt: Int64)? {
        try await database.snapshot { db in
            guard let row = try await db.raw("SELECT node_id, expires_at FROM monitor_lease WHERE name = \(bind: name)").first()
            else { return nil }
            return (try row.decode(column: "node_id", as: String.self), try row.decode(column: "expires_at", as: Int64.self))
        }
    }
}
