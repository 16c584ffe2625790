import Core
import Queue

/// What `posta cluster status` shows: the nodes with their heartbeat state, the cluster-wide jobs'
/// leases, and which node holds which of the queue's deliveries.
public struct ClusterStatus: Sendable, Codable {
    public struct Node: Sendable, Codable {
        public var node: ClusterNode
        public var state: ClusterNode.State
        /// Seconds since its last heartbeat.
        public var silentFor: Int64
    }

    public struct Lease: Sendable, Codable {
        public var name: String
        public var nodeID: String
        public var expiresAt: Int64
        public var expired: Bool
    }

    /// When it was read (seconds since 1970).
    public var now: Int64
    public var nodes: [Node]
    public var leases: [Lease]
    /// Deliveries each node holds a claim on.
    public var queue: [QueueLeaseHolding]
    /// Messages in the queue and deliveries not done yet.
    public var queuedMessages: Int
    public var pendingDeliveries: Int

    /// Reads it all at `now`; a node silent for more than `staleAfter` seconds is stale.
    public static func read(database: Database, queue: MailQueue, now: Int64, staleAfter: Int64) async throws -> ClusterStatus {
        let nodes = try await ClusterNodes(database: database).all().map { node in
            Node(node: node, state: node.state(at: now, staleAfter: staleAfter), silentFor: max(0, now - node.renewedAt))
        }
        let leases = try await MonitorLease.all(database: database).map { holder in
            Lease(name: holder.name, nodeID: holder.nodeID, expiresAt: holder.expiresAt, expired: holder.expiresAt <= now)
        }
        let (messages, pending) = try await queue.size()
        return ClusterStatus(
            now: now, nodes: nodes, leases: leases, queue: try await queue.leaseHoldings(now: now), queuedMessages: messages,
            pendingDeliveries: pending)
    }
}
