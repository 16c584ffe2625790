import Admin
import Core
import Foundation
import Monitor
import PostaTestSupport
import Testing

/// The daily summary and the abuse report through the console: who may see them (the summary
/// is site-wide, the report scoped to a domain admin's domains), sending a day's summary (audited,
/// once unless again), and the same numbers as the library the CLI printed before.
@Suite("Daily summary and abuse report through the console")
struct SummaryAndAbuseReportTests {
    /// The fixture's console with `mailing`, the abuse monitor and `rollup`.
    static func console(
        _ f: AdminFixture, mailing: (any ReportMailing)? = nil, rollup: DailyRollup? = nil
    ) async throws -> AdminConsole {
        _ = try await f.db.migrate(AbuseSchema.migrations)
        let c = f.console
        let monitor = AbuseMonitor(
            database: f.db, directory: c.directory, queue: c.queue, settings: AbuseSettings(), hostname: "mx.example.org",
            nodeID: "t", logger: AdminFixture.logger)
        var settings = SummarySettings()
        settings.top = 2
        return AdminConsole(
            database: f.db, directory: c.directory, store: c.store, queue: c.queue, authenticator: c.authenticator,
            settings: c.settings, abuse: monitor, rollup: rollup, reportMailing: mailing, summarySettings: settings,
            logger: AdminFixture.logger)
    }

    @Test("summary: today's counts with this node's pending ones; site-wide only", arguments: TestDatabases.dialects)
    func summary(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let now = f.clock.unixTime
            let today = UnixTime.dayStart(of: now)
            let rollup = DailyRollup(database: f.db, clock: { now })
            for (account, count) in [("alice@example.org", 3), ("bob@example.org", 2), ("carol@other.org", 1)] {
                rollup.add(Int64(count), to: .submitted, key: account)
            }
            rollup.add(4, to: .received, key: "mx")
            try await rollup.flush()
            // Not flushed yet: the console adds it before reading.
            rollup.add(2, to: .refused, key: "mx 550 5.1.1")
            let c = try await Self.console(f, rollup: rollup)

            let summary = try await c.dailySummary(as: f.superadmin)
            #expect(summary.day == today)
            #expect(summary.submitted == 6 && summary.refused == 2)
            // `[summary] top` = 2 rows per list.
            #expect(summary.topSenders == [.init("alice@example.org", 3), .init("bob@example.org", 2)])
            #expect(summary.received == [.init("mx", 4)])
            #expect(summary.topRefusals == [.init("mx 550 5.1.1", 2)])
            // What the CLI printed before: the library's gather.
            #expect(summary == (try await DailySummary.gather(day: today, top: 2, database: f.db)))
            // Any second of the day names the day; yesterday is empty.
            #expect(try await c.dailySummary(as: f.cli, day: today + 3_600) == summary)
            #expect(try await c.dailySummary(as: f.superadmin, day: today - 86_400) == DailySummary(day: today - 86_400))

            // Site-wide numbers: never for a domain scope, never for the helpdesk.
            await #expect(throws: AccessDenied.self) { try await c.dailySummary(as: f.domainAdmin) }
            await #expect(throws: AccessDenied.self) { try await c.dailySummary(as: f.helpdesk) }
            await #expect(throws: AdminError.self) { try await c.dailySummary(as: f.superadmin, day: today + 86_400) }
        }
    }

    @Test("summary send: superadmin only, audited, sent before answered", arguments: TestDatabases.dialects)
    func send(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let mailing = RecordingReportMailing()
            let c = try await Self.console(f, mailing: mailing)
            let yesterday = UnixTime.dayStart(of: f.clock.unixTime) - 86_400
            await #expect(throws: AccessDenied.self) { try await c.sendDailySummary(as: f.domainAdmin) }
            await #expect(throws: AccessDenied.self) { try await c.sendDailySummary(as: f.helpdesk) }
            #expect(mailing.calls.isEmpty)

            let first = try await c.sendDailySummary(as: f.superadmin)
            #expect(first == DailySummarySending(day: yesterday, again: false, queued: true))
            let before = try await c.sendDailySummary(as: f.superadmin, day: yesterday + 600)
            #expect(before == DailySummarySending(day: yesterday, again: false, queued: false))
            let again = try await c.sendDailySummary(as: f.superadmin, day: yesterday, again: true)
            #expect(again.queued)
            #expect(mailing.calls.map(\.day) == [yesterday, yesterday, yesterday])
            #expect(mailing.calls.map(\.again) == [false, false, true])
            await #expect(throws: AdminError.self) {
                try await c.sendDailySummary(as: f.superadmin, day: yesterday + 2 * 86_400)
            }
            #expect(mailing.calls.count == 3)

            // Two queued, two rows; the refused "sent before" changed nothing.
            let audit = try await c.auditLog(as: f.superadmin, AuditFilter(action: "summary.send")).items
            #expect(audit.count == 2)
            let day = DailySummaryMail.dayText(yesterday)
            #expect(audit.allSatisfy { $0.actor == "admin:root" && $0.target == day })
            #expect(audit.first?.after?.contains("\"again\":true") == true)
            #expect(audit.last?.after?.contains("\"again\":false") == true)

            // A console without report mail (tests, tools) says so.
            await #expect(throws: AdminError.conflict("report mail is not set up on this site")) {
                try await Self.console(f).sendDailySummary(as: f.superadmin)
            }
        }
    }

    @Test("abuse report: accounts sending from where they never read, scoped by domain", arguments: TestDatabases.dialects)
    func abuseReport(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = try await Self.console(f)
            let now = f.clock.unixTime
            let store = try #require(c.abuse).store
            for address in ["alice@example.org", "carol@other.org"] {
                let account = try #require(try await c.directory.account(address))
                for (index, ip) in ["198.51.100.7", "198.51.100.7", "203.0.113.9"].enumerated() {
                    try await store.recordSend(
                        accountID: account.id, account: address, ip: ip, network: ip, queueID: "q\(index)\(account.id)",
                        nodeID: "t", recipients: ["x@remote.example"], at: now - 600 + Int64(index))
                }
            }
            // An old send is outside the last hour.
            let bob = try #require(try await c.directory.account("bob@example.org"))
            try await store.recordSend(
                accountID: bob.id, account: "bob@example.org", ip: "192.0.2.1", network: "192.0.2.1", queueID: "old",
                nodeID: "t", recipients: ["x@remote.example"], at: now - 7_200)

            let all = try await c.abuseReport(as: f.superadmin, within: .hours(1))
            #expect(all.accounts.map(\.account) == ["alice@example.org", "carol@other.org"])
            let alice = try #require(all.accounts.first)
            #expect(alice.ips.map(\.ip).sorted() == ["198.51.100.7", "203.0.113.9"])
            #expect(alice.ips.first { $0.ip == "198.51.100.7" }?.messages == 2)
            #expect(alice.ips.allSatisfy { !$0.readMail && $0.rdns == "unknown" })
            #expect(all.since == now - 3_600)
            #expect(
                try await c.abuseReport(as: f.superadmin, within: .days(1)).accounts.map(\.account) == [
                    "alice@example.org", "bob@example.org", "carol@other.org",
                ])

            let scoped = try await c.abuseReport(as: f.domainAdmin, within: .hours(1))
            #expect(scoped.accounts.map(\.account) == ["alice@example.org"])
            await #expect(throws: AccessDenied.self) { try await c.abuseReport(as: f.helpdesk, within: .hours(1)) }
            await #expect(throws: AdminError.self) { try await c.abuseReport(as: f.superadmin, within: .seconds(0)) }
            await #expect(throws: AdminError.self) { try await c.abuseReport(as: f.superadmin, within: .days(400)) }
            await #expect(throws: AdminError.self) { try await f.console.abuseReport(as: f.superadmin, within: .hours(1)) }
        }
    }
}
