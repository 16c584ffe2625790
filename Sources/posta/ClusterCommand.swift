import ArgumentParser
import Core
import Monitor

/// `posta cluster status`: the nodes sharing this database, the jobs one node at a time runs, and
/// which node holds which of the queue's deliveries.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "The nodes of the cluster and what they hold.", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Nodes (alive, stale or stopped), job leases and queue ownership.",
            discussion: """
                A node is alive while it renews its heartbeat (every 30 s). Queue deliveries a node claimed are \
                held by a lease it renews while it works on them ([delivery] queue_lease); an expired one means \
                the node died or hung, and any node takes the delivery over at its next claim.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Seconds without a heartbeat after which a node is stale (default 90: three beats).")
        var staleAfter: Int64 = ClusterCheck.defaultStaleAfter
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard staleAfter > 0 else { throw CLIError("--stale-after must be positive") }
            let status = try await global.withConsole { try await $0.clusterStatus(as: $1, staleAfter: staleAfter) }
            if json {
                try Output.json(status)
                return
            }
            print("Nodes")
            Output.table(
                ["NODE", "HOST", "STATE", "SILENT", "STARTED", "VERSION"],
                status.nodes.map { node in
                    [
                        node.node.nodeID, node.node.hostname, node.state.rawValue, "\(node.silentFor) s",
                        Output.date(node.node.startedAt), node.node.version,
                    ]
                })
            print("\nJob leases")
            Output.table(
                ["JOB", "NODE", "EXPIRES"],
                status.leases.map { [$0.name, $0.nodeID, Output.date($0.expiresAt) + ($0.expired ? " (expired)" : "")] })
            print("\nQueue: \(status.queuedMessages) messages, \(status.pendingDeliveries) deliveries pending")
            Output.table(
                ["NODE", "CLAIMED", "EXPIRED", "UNTIL"],
                status.queue.map { ["\($0.nodeID)", "\($0.live)", "\($0.expired)", Output.date($0.until)] })
        }
    }
}
