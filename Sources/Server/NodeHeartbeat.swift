import Core
import Logging
import Monitor
import ServiceLifecycle

/// Registers this node in `cluster_node` at start, renews its row every `interval` while
/// `posta serve` runs, and marks it stopped on a clean shutdown: `posta check cluster` tells the
/// live nodes from those that stopped renewing.
public struct NodeHeartbeat: Service {
    public let nodes: ClusterNodes
    public let nodeID: String
    public let hostname: String
    public let interval: Duration
    let logger: Logger

    /// How often a node renews its row; `posta check cluster` calls a node stale after three missed beats.
    public static let defaultInterval: Duration = .seconds(30)

    public init(nodes: ClusterNodes, nodeID: String, hostname: String, interval: Duration = defaultInterval, logger: Logger) {
        self.nodes = nodes
        self.nodeID = nodeID
        self.hostname = hostname
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var registered = false
        await repeatUntilShutdown(every: interval) {
            let now = UnixTime.now()
            do {
                if registered {
                    try await nodes.renew(nodeID: nodeID, at: now)
                } else {
                    try await nodes.register(
                        ClusterNode(
                            nodeID: nodeID, hostname: hostname, version: PostaVersion.string, startedAt: now, renewedAt: now))
                    registered = true
                }
            } catch {
                logger.warning("node heartbeat failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
        if registered {
            try? await nodes.stop(nodeID: nodeID, at: UnixTime.now())
        }
    }
}
