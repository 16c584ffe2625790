import Admin
import Core
import MailAuth
import Policy
import PostaTestSupport
import Testing

/// DMARC, TLS and MTA-STS reports through `AdminConsole`: who sees which domain's reports, the
/// reports Posta would write, and "send now" through the site's `ReportMailing` (audited).
@Suite("Reports in the service layer: DMARC, TLS-RPT, MTA-STS")
struct ReportsConsoleTests {
    /// 2023-11-15, a reporting period.
    static let day: Int64 = 1_700_006_400
    static let dmarcReporter = DMARCReporter(
        orgName: "Posta Test", email: "postmaster@mx.test", domain: "mx.test", generator: "Posta test")
    static let tlsReporter = TLSRPTReporter(organizationName: "mx.test", contactInfo: "postmaster@mx.test", submitter: "mx.test")

    /// Records what it was asked to queue and answers one entry per domain, like the site would.
    actor RecordingMailing: ReportMailing {
        var dmarcDays: [Int64] = []
        var tlsDays: [Int64] = []
        nonisolated let dmarcReporter: DMARCReporter? = ReportsConsoleTests.dmarcReporter
        nonisolated let tlsReporter: TLSRPTReporter? = ReportsConsoleTests.tlsReporter

        func queueDMARCReports(periodStart: Int64) async throws -> [QueuedReport] {
            dmarcDays.append(periodStart)
            return [QueuedReport(domain: "sender.example", recipients: ["agg@sender.example"], problems: [])]
        }

        func queueTLSReports(periodStart: Int64) async throws -> [QueuedReport] {
            tlsDays.append(periodStart)
            return [
                QueuedReport(
                    domain: "gmail.example", recipients: [], problems: ["not to tls@x.example: no such local address"])
            ]
        }

        func queueSummary(day: Int64, again: Bool) async throws -> Bool { false }
    }

    /// The fixture's console with `mailing`, over the report tables, with reports stored:
    /// received DMARC reports about example.org and other.org, Posta's own DMARC results about
    /// example.org on `day`, TLS sessions with gmail.example and example.org, a received TLS
    /// report about both fixture domains, and a cached MTA-STS policy of gmail.example.
    static func seeded(_ f: AdminFixture, mailing: (any ReportMailing)? = RecordingMailing()) async throws -> AdminConsole {
        _ = try await f.db.migrate(DMARCSchema.migrations + TLSRPTSchema.migrations + MTASTSSchema.migrations)
        let received = DMARCReportStore(database: f.db)
        for (domain, ip, pass) in [("example.org", "192.0.2.1", true), ("other.org", "198.51.100.7", false)] {
            _ = try await received.store(dmarcFeedback(domain: domain, ip: ip, pass: pass), receivedAt: day + 90_000)
        }
        let own = DMARCEvaluationStore(database: f.db)
        let record = DMARCRecord(policy: .reject, aggregateReportURIs: [DMARCReportURI("mailto:dmarc@example.org")!])
        let evaluation = DMARCEvaluation(
            result: .pass, authorDomain: "example.org", policyDomain: "example.org", record: record, publishedPolicy: .reject,
            requestedPolicy: .reject, disposition: .none, dkimAlignedDomain: "example.org", spfAlignedDomain: nil)
        let message = DMARCMessage(
            fromDomains: ["example.org"], spf: nil,
            dkim: [DMARCDKIMInput(domain: "example.org", selector: "s1", result: .pass)])
        try await own.record(evaluation, message: message, sourceIP: "203.0.113.5", envelopeFrom: "example.org", at: day + 60)

        let sessions = TLSRPTSessionStore(database: f.db)
        for domain in ["gmail.example", "example.org"] {
            let policy = TLSRPTReport.Policy(policyType: .sts, policyString: ["version: STSv1"], policyDomain: domain)
            try await sessions.record(TLSRPTSession(policy: policy), at: day + 100, count: 3)
            try await sessions.record(
                TLSRPTSession(policy: policy, failure: .certificateExpired, receivingMX: "mx.\(domain)"), at: day + 200)
        }
        let tlsReport = TLSRPTReport(
            organizationName: "sender.example", dateRange: .init(begin: day, end: day + 86_399),
            contactInfo: "tls@sender.example", reportID: "tls-1",
            policies: ["example.org", "other.org"].map {
                .init(
                    policy: .init(policyType: .sts, policyDomain: $0), summary: .init(successful: 5, failed: 1),
                    failureDetails: [.init(resultType: .certificateNotTrusted, failedSessionCount: 1)])
            })
        try await TLSRPTReceivedStore(database: f.db).store(tlsReport, receivedAt: day + 90_000)
        try await MTASTSPolicyStore(database: f.db).save(
            MTASTSCachedPolicy(
                domain: "gmail.example", id: "20231115",
                policy: MTASTSPolicy(mode: .enforce, mx: [MTASTSMXPattern("*.gmail.example")!], maxAge: 86_400),
                fetchedAt: day))
        return AdminConsole(
            database: f.db, directory: f.console.directory, store: f.console.store, queue: f.console.queue,
            authenticator: f.console.authenticator, settings: f.console.settings, reportMailing: mailing,
            logger: AdminFixture.logger)
    }

    static func dmarcFeedback(domain: String, ip: String, pass: Bool) -> DMARCFeedback {
        DMARCFeedback(
            metadata: DMARCReportMetadata(
                orgName: "receiver.example", email: "noreply@receiver.example", reportID: "r-\(domain)",
                dateRange: DMARCDateRange(begin: day, end: day + 86_399)),
            policyPublished: DMARCPolicyPublished(domain: domain, p: .reject),
            records: [
                DMARCReportRecord(
                    row: DMARCReportRow(
                        sourceIP: ip, count: 4,
                        policyEvaluated: DMARCPolicyEvaluated(
                            disposition: pass ? .pass : .reject, dkim: .init(pass), spf: .init(pass))),
                    identifiers: DMARCReportIdentifiers(headerFrom: domain),
                    authResults: DMARCReportAuthResults(
                        spf: DMARCReportSPFResult(domain: domain, result: pass ? .pass : .fail)))
            ])
    }

    @Test(
        "received DMARC reports: a domain admin sees their domains only; another domain or a helpdesk is refused",
        arguments: TestDatabases.dialects)
    func dmarcScope(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let console = try await Self.seeded(f)
            #expect(try await console.dmarcSources(as: f.superadmin).map(\.domain) == ["example.org", "other.org"])
            let mine = try await console.dmarcSources(as: f.domainAdmin)
            #expect(mine.map(\.sourceIP) == ["192.0.2.1"] && mine.first?.dmarcPass == 4)
            #expect(try await console.dmarcSources(as: f.superadmin, domain: "Other.ORG.").first?.dmarcFail == 4)
            #expect(try await console.dmarcReports(as: f.domainAdmin).map(\.policyDomain) == ["example.org"])
            #expect(try await console.dmarcReports(as: f.superadmin, since: Self.day + 86_400).isEmpty)
            #expect(try await console.dmarcReports(as: f.superadmin, limit: 1).count == 1)
            await #expect(throws: AccessDenied.self) { try await console.dmarcSources(as: f.domainAdmin, domain: "other.org") }
            await #expect(throws: AccessDenied.self) { try await console.dmarcReports(as: f.domainAdmin, domain: "other.org") }
            await #expect(throws: AccessDenied.self) { try await console.dmarcSources(as: f.helpdesk) }
        }
    }

    @Test(
        "the DMARC report Posta would write: the CLI's XML, its file name; none stored is not found",
        arguments: TestDatabases.dialects)
    func writtenDMARCReport(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let console = try await Self.seeded(f)
            let document = try await console.dmarcReportDocument(
                as: f.domainAdmin, domain: "example.org", periodStart: Self.day + 5)
            #expect(document.contentType == "application/xml")
            #expect(document.filename == "mx.test!example.org!1700006400!1700092799.xml")
            let report = try DMARCFeedback.decode(xml: document.bytes)
            #expect(report.metadata.orgName == "Posta Test" && report.records.map(\.row.count) == [1])
            // The same report as the CLI's code path (an explicit reporter, as `--org-name` gives).
            let direct = try #require(
                try await DMARCEvaluationStore(database: f.db).aggregateReport(
                    domain: "example.org", periodStart: Self.day, reporter: Self.dmarcReporter))
            #expect(try direct.xml() == document.bytes)
            await #expect(throws: AdminError.notFound("DMARC result for example.org on 2023-11-14")) {
                try await console.dmarcReportDocument(as: f.superadmin, domain: "example.org", periodStart: Self.day - 1)
            }
            await #expect(throws: AccessDenied.self) {
                try await console.dmarcReportDocument(as: f.domainAdmin, domain: "other.org", periodStart: Self.day)
            }
            let siteless = try await Self.seeded(f, mailing: nil)
            await #expect(throws: AdminError.self) {
                try await siteless.dmarcReportDocument(as: f.superadmin, domain: "example.org", periodStart: Self.day)
            }
        }
    }

    @Test(
        "TLS reports: received ones keep the principal's policy domains; the written one is RFC 8460 JSON",
        arguments: TestDatabases.dialects)
    func tlsReports(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let console = try await Self.seeded(f)
            let all = try await console.receivedTLSReports(as: f.superadmin)
            #expect(all.map { $0.report.policies.map(\.policy.policyDomain) } == [["example.org", "other.org"]])
            let mine = try await console.receivedTLSReports(as: f.domainAdmin)
            #expect(mine.map { $0.report.policies.map(\.policy.policyDomain) } == [["example.org"]])
            #expect(try await console.receivedTLSReports(as: f.superadmin, domain: "other.org").first?.report.policies.count == 1)
            #expect(try await console.receivedTLSReports(as: f.superadmin, domain: "nowhere.example").isEmpty)
            await #expect(throws: AccessDenied.self) {
                try await console.receivedTLSReports(as: f.domainAdmin, domain: "other.org")
            }
            await #expect(throws: AccessDenied.self) { try await console.receivedTLSReports(as: f.helpdesk) }

            let document = try await console.tlsReportDocument(as: f.superadmin, domain: "gmail.example", periodStart: Self.day)
            #expect(document.contentType == "application/tlsrpt+json")
            #expect(document.filename == "mx.test!gmail.example!1700006400!1700092799.json")
            let report = try TLSRPTReport.decode(received: document.bytes)
            #expect(report.policies.map(\.summary) == [.init(successful: 3, failed: 1)])
            #expect(report.policies.first?.failureDetails?.map(\.resultType) == [.certificateExpired])
            // A domain admin reads the report about their own domain, not about others.
            _ = try await console.tlsReport(as: f.domainAdmin, domain: "example.org", periodStart: Self.day)
            await #expect(throws: AccessDenied.self) {
                try await console.tlsReport(as: f.domainAdmin, domain: "gmail.example", periodStart: Self.day)
            }
            await #expect(throws: AdminError.notFound("TLS session with gmail.example on 2023-11-16")) {
                try await console.tlsReport(as: f.superadmin, domain: "gmail.example", periodStart: Self.day + 86_400)
            }
        }
    }

    @Test("the MTA-STS cache is site-wide: superadmin only", arguments: TestDatabases.dialects)
    func mtaSTS(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let console = try await Self.seeded(f)
            let policies = try await console.mtaSTSPolicies(as: f.superadmin)
            #expect(policies.map(\.domain) == ["gmail.example"] && policies.first?.expiresAt == Self.day + 86_400)
            #expect(try await console.mtaSTSPolicies(as: f.cli).count == 1)
            await #expect(throws: AccessDenied.self) { try await console.mtaSTSPolicies(as: f.domainAdmin) }
            await #expect(throws: AccessDenied.self) { try await console.mtaSTSPolicies(as: f.helpdesk) }
        }
    }

    @Test(
        "send now: superadmin only, through the site's report mailing, audited with what was queued",
        arguments: TestDatabases.dialects)
    func sendNow(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let mailing = RecordingMailing()
            let console = try await Self.seeded(f, mailing: mailing)
            await #expect(throws: AccessDenied.self) {
                try await console.queueDMARCReports(as: f.domainAdmin, periodStart: Self.day)
            }
            await #expect(throws: AccessDenied.self) { try await console.queueTLSReports(as: f.helpdesk, periodStart: Self.day) }
            #expect(await mailing.dmarcDays.isEmpty)
            #expect(await mailing.tlsDays.isEmpty)

            let dmarc = try await console.queueDMARCReports(as: f.superadmin, periodStart: Self.day + 3_600)
            #expect(dmarc == [QueuedReport(domain: "sender.example", recipients: ["agg@sender.example"], problems: [])])
            let tls = try await console.queueTLSReports(as: f.superadmin, periodStart: Self.day)
            #expect(tls.first?.problems == ["not to tls@x.example: no such local address"])
            #expect(await mailing.dmarcDays == [Self.day])
            #expect(await mailing.tlsDays == [Self.day])

            let rows = try await console.auditLog(as: f.superadmin, AuditFilter(actor: "admin:root")).items
            let sent = rows.filter { $0.action.hasPrefix("reports.") }
            #expect(Set(sent.map(\.action)) == ["reports.dmarc.send", "reports.tls.send"])
            #expect(sent.allSatisfy { $0.target == "2023-11-15" })
            #expect(sent.first { $0.action == "reports.dmarc.send" }?.after?.contains("agg@sender.example") == true)

            let siteless = try await Self.seeded(f, mailing: nil)
            await #expect(throws: AdminError.self) { try await siteless.queueTLSReports(as: f.superadmin, periodStart: Self.day) }
            // Today has not ended: a report now would leave out the rest of it for good.
            let today = f.clock.unixTime
            await #expect(throws: AdminError.self) { try await console.queueDMARCReports(as: f.superadmin, periodStart: today) }
            await #expect(throws: AdminError.self) { try await console.queueTLSReports(as: f.superadmin, periodStart: today) }
            #expect(await mailing.dmarcDays == [Self.day])
            #expect(await mailing.tlsDays == [Self.day])
        }
    }

    @Test("UTC days as typed: YYYY-MM-DD both ways, impossible dates refused")
    func days() {
        #expect(UnixTime.parseDay("2023-11-15") == Self.day)
        #expect(UnixTime.dayText(Self.day + 86_399) == "2023-11-15")
        #expect(UnixTime.dayText(0) == "1970-01-01" && UnixTime.parseDay("2000-02-29") == 951_782_400)
        #expect(UnixTime.dayText(951_782_400) == "2000-02-29")
        for bad in ["2023-02-29", "2023-13-01", "2023-1-05", "20231115", "2023-11-15x", "", "２０２３-11-15"] {
            #expect(UnixTime.parseDay(bad) == nil, "\(bad)")
        }
    }
}
