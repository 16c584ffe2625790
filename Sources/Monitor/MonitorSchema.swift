import Core

/// The Monitor module's tables: the nodes of the cluster with their last heartbeat
/// (`cluster_node`), and named leases that let one node at a time run a cluster-wide job
/// (`monitor_lease`, e.g. the compromised-account evaluation).
public enum MonitorSchema {
    public static let migrations: [Migration] = [
        Migration("monitor.1-cluster") { _ in
            [
                """
                CREATE TABLE cluster_node (
                  node_id TEXT PRIMARY KEY,
                  hostname TEXT NOT NULL,
                  version TEXT NOT NULL,
                  started_at BIGINT NOT NULL,
                  renewed_at BIGINT NOT NULL,
                  stopped_at BIGINT NULL)
                """,
                """
                CREATE TABLE monitor_lease (
                  name TEXT PRIMARY KEY,
                  node_id TEXT NOT NULL,
                  expires_at BIGINT NOT NULL)
                """,
            ]
        }
    ]
}
