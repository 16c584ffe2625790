import Core
import Directory
import Logging
import MIME
import Monitor
import PostaTestSupport
import Queue
import SQLKit
import Testing

@Suite("posta cluster status: nodes, job leases and who holds the queue's deliveries")
struct ClusterStatusTests {
    @Test(arguments: TestDatabases.dialects)
    func status(_ dialect: Database.Dialect) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TestDatabases.with(dialect) { database in
            _ = try await database.migrate(DirectorySchema.migrations + QueueSchema.migrations + MonitorSchema.migrations)
            var logger = Logger(label: "cluster-status-test")
            logger.logLevel = .error
            let queue = MailQueue(database: database, spoolDirectory: folder.path, nodeID: "mx1", logger: logger)
            try queue.prepare()
            for n in 0..<3 {
                let (id, file) = try queue.openSpoolFile()
                try file.write(Array("Subject: \(n)\r\n\r\nbody\r\n".utf8))
                try await queue.commit(
                    id: id, file: file,
                    envelope: QueuedEnvelope(
                        reversePath: try MailAddress(parsing: "a@example.org"), clientIP: "192.0.2.1", helo: "c"),
                    deliveries: [
                        QueuedDelivery(
                            recipient: "b\(n)@remote.example", kind: .remote, accountID: nil, target: "b\(n)@remote.example")
                    ])
            }
            let nodes = ClusterNodes(database: database)
            try await nodes.register(ClusterNode(nodeID: "mx1", hostname: "a", version: "1", startedAt: 900, renewedAt: 900))
            try await nodes.register(ClusterNode(nodeID: "mx2", hostname: "b", version: "1", startedAt: 900, renewedAt: 990))
            #expect(try await MonitorLease(database: database, nodeID: "mx2").acquire("abuse", now: 990, duration: 60))
            #expect(try await MonitorLease(database: database, nodeID: "mx1").acquire("summary", now: 900, duration: 60))
            // mx1 died holding two deliveries (its lease ran out at 960); mx2 holds one until 1020.
            let rows = try await database.withConnection { db in
                try await db.select().column("id").from("queue_recipient").orderBy("id").all(decodingColumn: "id", as: Int64.self)
            }
            try await database.withConnection { db in
                try await db.update("queue_recipient").set("locked_by", to: SQLBind("mx1")).set("locked_until", to: SQLBind(960))
                    .where("id", .in, SQLBind.group(Array(rows.prefix(2)))).run()
                try await db.update("queue_recipient").set("locked_by", to: SQLBind("mx2"))
                    .set("locked_until", to: SQLBind(1020)).where("id", .equal, rows[2]).run()
            }

            let status = try await ClusterStatus.read(database: database, queue: queue, now: 1000, staleAfter: 90)
            #expect(status.nodes.map(\.node.nodeID) == ["mx1", "mx2"])
            #expect(status.nodes.map(\.state) == [.stale, .alive])
            #expect(status.nodes.map(\.silentFor) == [100, 10])
            #expect(status.leases.map(\.name) == ["abuse", "summary"])
            #expect(status.leases.map(\.expired) == [false, true])
            #expect(
                status.queue == [
                    QueueLeaseHolding(nodeID: "mx1", live: 0, expired: 2, until: 960),
                    QueueLeaseHolding(nodeID: "mx2", live: 1, expired: 0, until: 1020),
                ])
            #expect(status.queuedMessages == 3 && status.pendingDeliveries == 3)
        }
    }
}
