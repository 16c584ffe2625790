import Core
import Directory
import Monitor
import PostaTestSupport
import Testing

@Suite("Daily rollup, summary and its mail")
struct DailySummaryTests {
    static let day: Int64 = 1_764_720_000  // 2025-12-03 00:00 UTC

    func migrated(_ dialect: Database.Dialect, _ body: (Database) async throws -> Void) async throws {
        try await TestDatabases.with(dialect) { database in
            _ = try await database.migrate(
                LoginSchema.migrations + MonitorSchema.migrations + SummarySchema.migrations + AbuseSchema.migrations)
            try await body(database)
        }
    }

    @Test("counts add up across flushes and nodes; peaks keep the largest", arguments: TestDatabases.dialects)
    func rollupAddsAndPeaks(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let clock: @Sendable () -> Int64 = { Self.day + 3600 }
            let mx1 = DailyRollup(database: database, clock: clock)
            let mx2 = DailyRollup(database: database, clock: clock)
            mx1.add(1, to: .submitted, key: "alice@example.org")
            mx1.add(1, to: .submitted, key: "alice@example.org")
            mx1.add(40, to: .queuePeak, key: "01")
            mx1.add(25, to: .queuePeak, key: "01")
            try await mx1.flush()
            mx2.add(3, to: .submitted, key: "alice@example.org")
            mx2.add(1, to: .submitted, key: "bob@example.org")
            mx2.add(30, to: .queuePeak, key: "01")
            try await mx2.flush()
            try await mx2.flush()  // nothing new: nothing added twice
            let submitted = try await DailyRollup.values(.submitted, day: Self.day, database: database)
            #expect(submitted.map(\.key) == ["alice@example.org", "bob@example.org"])
            #expect(submitted.map(\.value) == [5, 1])
            #expect(try await DailyRollup.values(.queuePeak, day: Self.day, database: database).map(\.value) == [40])
            // Another day is another row; purging forgets days before the one named.
            #expect(try await DailyRollup.values(.submitted, day: Self.day + 86_400, database: database).isEmpty)
            try await DailyRollup.purge(before: Self.day + 86_400, database: database)
            #expect(try await DailyRollup.values(.submitted, day: Self.day, database: database).isEmpty)
        }
    }

    @Test("the summary reads the rollup and the day's failed logins", arguments: TestDatabases.dialects)
    func gather(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let rollup = DailyRollup(database: database, clock: { Self.day + 7200 })
            for (user, count) in [("a@example.org", 9), ("b@example.org", 4), ("c@example.org", 1)] {
                rollup.add(Int64(count), to: .submitted, key: user)
            }
            rollup.add(14, to: .received, key: "submission")
            rollup.add(3, to: .received, key: "mx")
            rollup.add(7, to: .refused, key: "mx 550 5.1.1")
            rollup.add(2, to: .refused, key: "mx 451 4.7.1")
            rollup.add(12, to: .queuePeak, key: "02")
            rollup.add(80, to: .queuePeak, key: "09")
            try await rollup.flush()
            let log = LoginLog(database: database)
            for (ip, success, time) in [
                ("192.0.2.7", false, Self.day + 10), ("192.0.2.7", false, Self.day + 20), ("198.51.100.1", false, Self.day + 30),
                ("192.0.2.7", true, Self.day + 40), ("192.0.2.9", false, Self.day - 10),
            ] {
                try await log.record(
                    LoginEvent(
                        accountID: nil, login: "a@example.org", ip: ip, protocolName: "imap", success: success,
                        reason: success ? nil : "wrong_password", createdAt: time))
            }
            let abuse = AbuseStore(database: database)
            try await abuse.audit(account: "x@example.org", action: "suspend", detail: "", nodeID: "mx1", at: Self.day + 50)
            try await abuse.audit(account: "x@example.org", action: "suspend", detail: "", nodeID: "mx1", at: Self.day + 60)
            try await abuse.audit(account: "y@example.org", action: "suspend", detail: "", nodeID: "mx1", at: Self.day - 60)
            let summary = try await DailySummary.gather(day: Self.day, top: 2, database: database)
            #expect(summary.submitted == 14)
            #expect(summary.topSenders == [.init("a@example.org", 9), .init("b@example.org", 4)])
            #expect(summary.received == [.init("mx", 3), .init("submission", 14)])
            #expect(summary.refused == 9 && summary.topRefusals.first == .init("mx 550 5.1.1", 7))
            #expect(summary.failedLogins == 3)
            #expect(summary.topFailingClients == [.init("192.0.2.7", 2), .init("198.51.100.1", 1)])
            #expect(summary.queuePeak == .init("09", 80))
            let mail = DailySummaryMail(
                summary: summary, hostname: "mx1.example.org", from: "postmaster@mx1.example.org",
                to: ["postmaster@example.org"], date: Self.day + 86_400 + 6 * 3600)
            let text = String(decoding: mail.render(), as: UTF8.self)
            #expect(text.contains("Subject: [mx1.example.org] Mail summary for 2025-12-03\r\n"))
            #expect(text.contains("\r\n\r\nMail on mx1.example.org for 2025-12-03 (UTC).\r\n"))
            #expect(text.contains("Queue peak:     80 messages (hour 09:00 UTC)\r\n"))
            #expect(text.contains("  9  a@example.org\r\n  4  b@example.org\r\n"))
            #expect(text.contains("Suspended:      x@example.org\r\n"))
            #expect(!text.contains("\n\n") && !text.contains("\r\r"))
        }
    }

    @Test("[summary] settings, defaults and bad values with their lines")
    func settings() throws {
        let defaults = try #require(parsedConfig(configHeader, sections: [SummarySettings.self]))
        #expect(!defaults.summary.send && defaults.summary.sendAt == 6 * 3600 && defaults.summary.top == 10)
        #expect(defaults.summary.recipients(hostname: "mx1.example.org") == ["postmaster@mx1.example.org"])
        let set = try #require(
            parsedConfig(
                configHeader + "\n[summary]\nsend = true\nto = [\"noc@example.org\"]\nsend_at = \"07:30\"\ntop = 25\n",
                sections: [SummarySettings.self]))
        #expect(set.summary.send && set.summary.to == ["noc@example.org"] && set.summary.sendAt == 7 * 3600 + 1800)
        #expect(set.summary.top == 25)
        for (line, key) in [
            ("send_at = \"24:00\"", "summary.send_at"), ("send_at = \"7:30\"", "summary.send_at"), ("top = 0", "summary.top"),
            ("top = 101", "summary.top"), ("to = [\"nobody\"]", "summary.to"), ("retention = \"1d\"", "summary.retention"),
        ] {
            let error = singleError(configHeader + "\n[summary]\n" + line + "\n", sections: [SummarySettings.self])
            #expect(error?.key == key, "\(line)")
            #expect(error?.line == 4, "\(line)")
        }
    }
}
