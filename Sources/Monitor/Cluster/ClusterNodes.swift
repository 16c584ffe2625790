import Core
import SQLKit

/// One node of the cluster as its heartbeat left it in `cluster_node`.
public struct ClusterNode: Sendable, Hashable, Codable {
    public var nodeID: String
    public var hostname: String
    public var version: String
    /// When the running `posta serve` started (seconds since 1970).
    public var startedAt: Int64
    /// The node's last heartbeat.
    public var renewedAt: Int64
    /// Set when the node stopped cleanly; nil while it runs (or when it died without saying so).
    public var stoppedAt: Int64?

    public init(
        nodeID: String, hostname: String, version: String, startedAt: Int64, renewedAt: Int64, stoppedAt: Int64? = nil
    ) {
        self.nodeID = nodeID
        self.hostname = hostname
        self.version = version
        self.startedAt = startedAt
        self.renewedAt = renewedAt
        self.stoppedAt = stoppedAt
    }

    /// What a heartbeat every `interval` seconds says of the node at `now`.
    public func state(at now: Int64, staleAfter: Int64) -> State {
        if stoppedAt != nil { return .stopped }
        return now - renewedAt <= staleAfter ? .alive : .stale
    }

    public enum State: String, Sendable, Codable {
        /// Renewed its heartbeat recently.
        case alive
        /// Stopped renewing without a clean stop: crashed, hung, or cut off from the database.
        case stale
        /// Stopped cleanly (`posta serve` ended).
        case stopped
    }
}

/// The cluster's node registry: each `posta serve` renews its row every heartbeat, so any node
/// (or `posta check cluster`) can tell which nodes are alive and which stopped renewing.
public struct ClusterNodes: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Records that `node` started now (a fresh row, or the node's old row taken over).
    public func register(_ node: ClusterNode) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO cluster_node (node_id, hostname, version, started_at, renewed_at, stopped_at)
                VALUES (\(bind: node.nodeID), \(bind: node.hostname), \(bind: node.version), \(bind: node.startedAt),
                        \(bind: node.renewedAt), NULL)
                ON CONFLICT (node_id) DO UPDATE SET hostname = excluded.hostname, version = excluded.version,
                  started_at = excluded.started_at, renewed_at = excluded.renewed_at, stopped_at = NULL
                """
            ).run()
        }
    }

    /// The heartbeat: `nodeID` is alive at `time`.
    public func renew(nodeID: String, at time: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw(
                "UPDATE cluster_node SET renewed_at = \(bind: time), stopped_at = NULL WHERE node_id = \(bind: nodeID)"
            ).run()
        }
    }

    /// Records a clean stop.
    public func stop(nodeID: String, at time: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("UPDATE cluster_node SET stopped_at = \(bind: time) WHERE node_id = \(bind: nodeID)").run()
        }
    }

    /// Every node ever registered, by name.
    public func all() async throws -> [ClusterNode] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT node_id, hostname, version, started_at, renewed_at, stopped_at FROM cluster_node ORDER BY node_id
                """
            ).all().map { row in
                ClusterNode(
                    nodeID: try row.decode(column: "node_id", as: String.self),
                    hostname: try row.decode(column: "hostname", as: String.self),
                    version: try row.decode(column: "version", as: String.self),
                    startedAt: try row.decode(column: "started_at", as: Int64.self),
                    renewedAt: try row.decode(column: "renewed_at", as: Int64.self),
                    stoppedAt: try row.decode(column: "stopped_at", as: Int64?.self))
            }
        }
    }

    /// Forgets a node (one taken out of the cluster for good).
    public func remove(nodeID: String) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM cluster_node WHERE node_id = \(bind: nodeID)").run()
        }
    }
}
