import Core
import Monitor
import PostaTestSupport
import Testing

@Suite struct ClusterTests {
    func migrated(_ dialect: Database.Dialect, _ body: (Database) async throws -> Void) async throws {
        try await TestDatabases.with(dialect) { database in
            _ = try await database.migrate(MonitorSchema.migrations)
            try await body(database)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func nodesRegisterRenewAndStop(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let nodes = ClusterNodes(database: database)
            try await nodes.register(
                ClusterNode(nodeID: "mx1", hostname: "mx1.example.org", version: "1", startedAt: 100, renewedAt: 100))
            try await nodes.register(
                ClusterNode(nodeID: "mx2", hostname: "mx2.example.org", version: "1", startedAt: 100, renewedAt: 100))
            try await nodes.renew(nodeID: "mx1", at: 200)
            try await nodes.stop(nodeID: "mx2", at: 150)
            let all = try await nodes.all()
            #expect(all.map(\.nodeID) == ["mx1", "mx2"])
            #expect(all[0].renewedAt == 200)
            #expect(all[0].state(at: 250, staleAfter: 90) == .alive)
            #expect(all[0].state(at: 291, staleAfter: 90) == .stale)
            #expect(all[1].state(at: 250, staleAfter: 90) == .stopped)
            // A restart takes the old row over and clears the stop.
            try await nodes.register(
                ClusterNode(nodeID: "mx2", hostname: "mx2.example.org", version: "2", startedAt: 300, renewedAt: 300))
            let mx2 = try await nodes.all()[1]
            #expect(mx2.stoppedAt == nil && mx2.version == "2" && mx2.startedAt == 300)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func oneNodeHoldsALeaseUntilItExpires(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let mx1 = MonitorLease(database: database, nodeID: "mx1")
            let mx2 = MonitorLease(database: database, nodeID: "mx2")
            #expect(try await mx1.acquire("abuse", now: 1000, duration: 60))
            #expect(try await !mx2.acquire("abuse", now: 1010, duration: 60))
            // The holder renews.
            #expect(try await mx1.acquire("abuse", now: 1050, duration: 60))
            #expect(try await !mx2.acquire("abuse", now: 1100, duration: 60))
            // Expired: the other node takes it over, and the first one loses it.
            #expect(try await mx2.acquire("abuse", now: 1110, duration: 60))
            #expect(try await !mx1.acquire("abuse", now: 1120, duration: 60))
            #expect(try await mx2.holder("abuse")?.nodeID == "mx2")
            // Released: free at once. Another lease name is independent.
            try await mx2.release("abuse")
            #expect(try await mx1.acquire("abuse", now: 1130, duration: 60))
            #expect(try await mx2.acquire("summary", now: 1130, duration: 60))
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func concurrentAcquiresHaveOneWinner(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        try await MonitorLease(database: database, nodeID: "n\(n)").acquire("x", now: 5, duration: 60)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }
}
