import Admin
import Core
import Directory
import Monitor
import NIOConcurrencyHelpers
import PostaTestSupport
import Testing

/// The dashboard's traffic: read from the rollup per window, site-wide only.
@Suite struct DashboardTrafficTests {
    static let day: Int64 = 1_764_720_000  // 2025-12-03 00:00 UTC
    static let now = day + 10 * 3600 + 30 * 60 + 15  // 10:30:15

    /// Counts at `time` from another node (its own rollup), written to the database.
    static func count(_ db: Database, at time: Int64, _ body: (DailyRollup) -> Void) async throws {
        let rollup = DailyRollup(database: db, clock: { time })
        body(rollup)
        try await rollup.flush()
    }

    @Test(
        "ranked lists: the database sums across hours and nodes, keeps the ten largest, ties by key",
        arguments: TestDatabases.dialects)
    func ranking(_ dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            // Fourteen senders over two hours (two nodes' flushes): s00 sends 1 + 13, the others n (s01 1).
            for (offset, node) in [(Int64(120), 0), (3600 + 120, 1)] {
                try await Self.count(f.db, at: Self.now - offset) { r in
                    for n in 0..<14 where node == 0 || n == 0 {
                        r.add(node == 0 ? Int64(max(n, 1)) : 13, to: .submitted, key: String(format: "s%02d@example.org", n))
                    }
                    r.add(5, to: .refusedClient, key: "192.0.2.\(node)")
                }
            }
            let day = try #require(try await f.console.dashboard(as: f.superadmin, window: .day, now: Self.now).traffic)
            #expect(day.topSenders.count == DashboardTraffic.rankedRows)
            #expect(
                day.topSenders.prefix(3) == [
                    .init("s00@example.org", 14), .init("s13@example.org", 13), .init("s12@example.org", 12),
                ])
            // The four smallest (s01 to s04) fall off.
            #expect(day.topSenders.last == .init("s05@example.org", 5))
            #expect(day.topRefusedClients == [.init("192.0.2.0", 5), .init("192.0.2.1", 5)])
        }
    }

    @Test("windows, buckets, series, reasons and ranked lists", arguments: TestDatabases.dialects)
    func traffic(_ dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            try await Self.count(f.db, at: Self.now - 120) { r in  // 10:28
                r.add(3, to: .received, key: "mx")
                r.add(1, to: .received, key: "submission")
                r.add(1, to: .submitted, key: "alice@example.org")
                r.add(2, to: .delivered, key: "local")
                r.add(1, to: .refused, key: "mx 550 5.1.1")
                r.add(1, to: .refusedClient, key: "192.0.2.66")
                r.add(5, to: .queueSize, key: "")
                r.add(2, to: .logins, key: "imap ok")
                r.add(1, to: .logins, key: "imap failed")
            }
            try await Self.count(f.db, at: Self.now - 3 * 3600) { r in  // 07:30
                r.add(4, to: .received, key: "mx")
                r.add(3, to: .submitted, key: "bob@example.org")
                r.add(1, to: .delivered, key: "bounced")
                for (index, key) in [
                    "mx 550 5.7.1", "mx 554 5.7.1", "mx 451 4.7.1", "mx 452 4.5.3", "submission 535 5.7.8",
                    "mx 421 4.3.2", "mx 500 5.5.2",
                ].enumerated() {
                    r.add(Int64(10 - index), to: .refused, key: key)
                }
                r.add(9, to: .refusedClient, key: "<script>alert(1)</script>")
                r.add(12, to: .queueSize, key: "")
            }
            // Two days ago: outside the day window, inside the week's.
            try await Self.count(f.db, at: Self.now - 2 * 86_400) { r in r.add(6, to: .received, key: "lmtp") }

            let day = try #require(try await f.console.dashboard(as: f.superadmin, window: .day, now: Self.now).traffic)
            #expect(day.buckets.count == 24 && day.buckets.last == Self.day + 10 * 3600)
            #expect(day.buckets.first == Self.day + 10 * 3600 - 23 * 3600)
            #expect(day.received.map(\.key) == ["mx", "submission"])
            #expect(day.received[0].total == 7 && day.received[0].values[23] == 3 && day.received[0].values[20] == 4)
            #expect(day.sent.map(\.key) == ["local", "bounced"] && day.sent.map(\.total) == [2, 1])
            // The five largest reasons on their own, the three smallest as `other`, labelled (RFC 3463).
            #expect(day.refused.count == DashboardTraffic.refusalReasons)
            #expect(
                day.refused.first?.key == "mx 550 5.7.1" && day.refused.first?.label == "delivery not authorized, message refused"
            )
            #expect(day.refused.last?.key == "other" && day.refused.last?.total == 10)
            #expect(day.refused.map(\.total).reduce(0, +) == 50)
            #expect(day.queueSize[23] == 5 && day.queueSize[20] == 12 && day.queueSize[0] == nil)
            #expect(day.logins == [DashboardLogins(protocolName: "imap", succeeded: 2, failed: 1)])
            #expect(day.topSenders == [.init("bob@example.org", 3), .init("alice@example.org", 1)])
            #expect(day.topRefusedClients.first == .init("<script>alert(1)</script>", 9))

            // The hour window by minute; the ranked lists cover the hours it touches (10:00 on).
            let hour = try #require(try await f.console.dashboard(as: f.superadmin, window: .hour, now: Self.now).traffic)
            #expect(hour.buckets.count == 60 && hour.buckets.last == Self.now - 15)
            #expect(hour.received.map(\.total) == [3, 1] && hour.received[0].values[57] == 3)
            #expect(hour.topSenders == [.init("alice@example.org", 1)])
            #expect(hour.refused.map(\.key) == ["mx 550 5.1.1"] && hour.refused[0].label == "bad destination mailbox address")

            let week = try #require(try await f.console.dashboard(as: f.superadmin, window: .week, now: Self.now).traffic)
            #expect(week.buckets.count == 168 && week.received.map(\.key) == ["mx", "submission", "lmtp"])
            #expect(week.received[2].total == 6)

            // Nothing counted an hour's window ago a week later: empty, not broken.
            let later = try #require(
                try await f.console.dashboard(as: f.superadmin, window: .hour, now: Self.now + 8 * 86_400).traffic)
            #expect(later.isEmpty && later.buckets.count == 60)
        }
    }

    @Test("traffic is site-wide: not for a domain admin, for the helpdesk and superadmin")
    func scope() async throws {
        try await AdminFixture.with(.sqlite) { f in
            #expect(try await f.console.dashboard(as: f.domainAdmin).traffic == nil)
            #expect(try await f.console.dashboard(as: f.helpdesk).traffic != nil)
            let user = try await f.userPrincipal("alice@example.org")
            await #expect(throws: AccessDenied.self) { try await f.console.dashboard(as: user) }
        }
    }

    @Test func refusalLabels() {
        #expect(RefusalReason.label(forKey: "mx 550 5.1.1") == "bad destination mailbox address")
        #expect(RefusalReason.label(forKey: "submission 535 5.7.8") == "authentication credentials invalid")
        #expect(RefusalReason.label(forKey: "mx 452 4.2.2") == "mailbox full")
        #expect(RefusalReason.label(forKey: "mx 550 5.1.99") == "other address status")
        #expect(RefusalReason.label(forKey: "mx 554") == "permanent failure")
        #expect(RefusalReason.label(forKey: "mx 421") == "temporary failure")
        #expect(RefusalReason.label(forKey: "garbage") == "other")
        #expect(RefusalReason.label(forStatus: "9.1.1") == nil)
    }

    @Test("logins are counted by protocol and outcome where the log records them")
    func loginsCounted() async throws {
        try await AdminFixture.with(.sqlite) { f in
            let rollup = DailyRollup(database: f.db, clock: { Self.now })
            let authenticator = Authenticator(
                directory: f.console.directory, loginLog: LoginLog(database: f.db),
                throttle: LoginThrottle(policy: AdminFixture.throttlePolicy), clock: f.clock, dailyCounts: rollup)
            for password in ["secret-password", "wrong", "secret-password"] {
                _ = await authenticator.login(
                    user: "alice@example.org", password: password, clientIP: "192.0.2.1", protocolName: "pop3",
                    logger: AdminFixture.logger)
                f.clock.advance(.seconds(30))  // past the throttle's delay
            }
            try await rollup.flush()
            let points = try await DailyRollup.series([.logins], span: .minute, from: 0, to: .max, database: f.db)
            #expect(points.map(\.key) == ["pop3 failed", "pop3 ok"] && points.map(\.value) == [1, 2])
        }
    }
}
