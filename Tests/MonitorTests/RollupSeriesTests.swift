import Core
import Monitor
import NIOConcurrencyHelpers
import PostaTestSupport
import Testing

@Suite("The rollup's minute and hour buckets (the dashboard)")
struct RollupSeriesTests {
    static let day: Int64 = 1_764_720_000  // 2025-12-03 00:00 UTC

    func migrated(_ dialect: Database.Dialect, _ body: (Database) async throws -> Void) async throws {
        try await TestDatabases.with(dialect) { database in
            _ = try await database.migrate(MonitorSchema.migrations + SummarySchema.migrations)
            try await body(database)
        }
    }

    @Test func bucketStarts() {
        #expect(RollupSpan.minute.start(of: Self.day + 3 * 3600 + 125) == Self.day + 3 * 3600 + 120)
        #expect(RollupSpan.hour.start(of: Self.day + 3 * 3600 + 125) == Self.day + 3 * 3600)
        #expect(RollupSpan.day.start(of: Self.day + 3 * 3600 + 125) == Self.day)
        #expect(RollupSpan.hour.start(of: -1) == -3600)
    }

    @Test(
        "two nodes add to the same minute, hour and day rows; peaks keep the largest",
        arguments: TestDatabases.dialects)
    func twoNodesMerge(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            let now = NIOLockedValueBox(Self.day + 9 * 3600 + 5 * 60 + 10)  // 09:05:10
            let clock: @Sendable () -> Int64 = { now.withLockedValue { $0 } }
            let mx1 = DailyRollup(database: database, clock: clock)
            let mx2 = DailyRollup(database: database, clock: clock)
            mx1.add(2, to: .received, key: "mx")
            mx1.add(7, to: .queueSize, key: "")
            mx1.add(1, to: .refusedClient, key: "192.0.2.7")
            mx2.add(3, to: .received, key: "mx")
            mx2.add(9, to: .queueSize, key: "")
            mx2.add(4, to: .refusedClient, key: "192.0.2.7")
            try await mx1.flush()
            try await mx2.flush()
            now.withLockedValue { $0 += 60 }  // 09:06:10: the next minute, the same hour
            mx1.add(5, to: .received, key: "mx")
            mx1.add(4, to: .queueSize, key: "")
            try await mx1.flush()
            let minute = Self.day + 9 * 3600 + 5 * 60
            let minutes = try await DailyRollup.series(
                [.received, .queueSize], span: .minute, from: Self.day, to: Self.day + 86_400, database: database)
            #expect(
                minutes == [
                    RollupPoint(bucket: minute, counter: .queueSize, key: "", value: 9),
                    RollupPoint(bucket: minute, counter: .received, key: "mx", value: 5),
                    RollupPoint(bucket: minute + 60, counter: .queueSize, key: "", value: 4),
                    RollupPoint(bucket: minute + 60, counter: .received, key: "mx", value: 5),
                ])
            let hours = try await DailyRollup.series(
                [.received, .queueSize, .refusedClient], span: .hour, from: Self.day, to: Self.day + 86_400,
                database: database)
            let hour = Self.day + 9 * 3600
            #expect(
                hours == [
                    RollupPoint(bucket: hour, counter: .queueSize, key: "", value: 9),
                    RollupPoint(bucket: hour, counter: .received, key: "mx", value: 10),
                    RollupPoint(bucket: hour, counter: .refusedClient, key: "192.0.2.7", value: 5),
                ])
            // Client addresses are kept per hour only; the day keeps the summary's counters.
            #expect(
                try await DailyRollup.series(
                    [.refusedClient], span: .minute, from: Self.day, to: Self.day + 86_400, database: database
                ).isEmpty)
            #expect(try await DailyRollup.values(.received, day: Self.day, database: database).map(\.value) == [10])
            #expect(try await DailyRollup.values(.refusedClient, day: Self.day, database: database).isEmpty)
            // The range is half-open and by span.
            #expect(
                try await DailyRollup.series([.received], span: .minute, from: minute + 60, to: minute + 120, database: database)
                    .map(\.value) == [5])
        }
    }

    @Test("purging forgets the buckets of one span before a time", arguments: TestDatabases.dialects)
    func retention(_ dialect: Database.Dialect) async throws {
        try await migrated(dialect) { database in
            for offset: Int64 in [0, 3 * 86_400] {
                let rollup = DailyRollup(database: database, clock: { Self.day + offset + 600 })
                rollup.add(1, to: .logins, key: "imap ok")
                try await rollup.flush()
            }
            func count(_ span: RollupSpan) async throws -> Int {
                try await DailyRollup.series([.logins], span: span, from: 0, to: .max, database: database).count
            }
            #expect(try await count(.minute) == 2)
            #expect(try await count(.hour) == 2)
            try await DailyRollup.purgeSeries(.minute, before: Self.day + 86_400, database: database)
            #expect(try await count(.minute) == 1)
            #expect(try await count(.hour) == 2)
            try await DailyRollup.purgeSeries(.hour, before: Self.day + 4 * 86_400, database: database)
            #expect(try await count(.minute) == 1)
            #expect(try await count(.hour) == 0)
            // The daily rows keep their own retention.
            #expect(try await DailyRollup.values(.logins, day: Self.day, database: database).map(\.value) == [1])
        }
    }

    @Test func pendingKeysAreCapped() async throws {
        try await migrated(.sqlite) { database in
            let rollup = DailyRollup(database: database, clock: { Self.day + 60 })
            // A counter flooded with keys (clients cycling addresses) keeps its first keys, counts
            // the rest under "other" (its total intact), and leaves room for the other counters.
            let flood = DailyRollup.maximumPendingKeys + 50
            for index in 0..<flood {
                rollup.add(1, to: .refusedClient, key: "198.51.100.\(index)")
            }
            rollup.add(1, to: .refusedClient, key: "198.51.100.0")
            rollup.add(1, to: .received, key: "mx")
            try await rollup.flush()
            let stored = try await DailyRollup.series(
                [.refusedClient], span: .hour, from: 0, to: .max, database: database)
            #expect(stored.count <= DailyRollup.maximumPendingKeysPerCounter + 1)
            #expect(stored.first { $0.key == "198.51.100.0" }?.value == 2)
            #expect(stored.first { $0.key == DailyRollup.otherKey } != nil)
            #expect(stored.reduce(0) { $0 + $1.value } == Int64(flood) + 1)
            let received = try await DailyRollup.series([.received], span: .minute, from: 0, to: .max, database: database)
            #expect(received.first?.value == 1)
        }
    }

    @Test("[summary] minute_retention and hour_retention")
    func retentionSettings() throws {
        let defaults = try #require(parsedConfig(configHeader, sections: [SummarySettings.self]))
        #expect(defaults.summary.minuteRetention == .hours(48) && defaults.summary.hourRetention == .days(90))
        let set = try #require(
            parsedConfig(
                configHeader + "\n[summary]\nminute_retention = \"6h\"\nhour_retention = \"30d\"\n",
                sections: [SummarySettings.self]))
        #expect(set.summary.minuteRetention == .hours(6) && set.summary.hourRetention == .days(30))
        for line in ["minute_retention = \"10m\"", "hour_retention = \"2h\"", "minute_retention = \"31d\""] {
            let error = singleError(configHeader + "\n[summary]\n" + line + "\n", sections: [SummarySettings.self])
            #expect(error?.line == 4, "\(line)")
        }
    }
}
