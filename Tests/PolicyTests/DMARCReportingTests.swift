import Core
import MailAuth
import PostaTestSupport
import Testing

@testable import Policy

/// Sending aggregate reports: the mail that carries one, the once-only ledger, `[dmarc]`.
@Suite("DMARC report mail, ledger and settings")
struct DMARCReportingTests {
    @Test("the report mail carries the report readably, under the RFC's subject and file name")
    func reportMail() throws {
        let report = DMARCStoreTests.report(
            id: "1700006400.example.com@mx.example.org", rows: [("192.0.2.1", 7, true, false, .pass)])
        let reporter = DMARCReporter(orgName: "Example", email: "dmarc@example.org", domain: "mx.example.org")
        let mail = DMARCReportMail(
            report: report, filename: reporter.filename(policyDomain: "example.com", periodStart: 1_700_006_400, gzip: true),
            from: "dmarc@example.org", to: "agg@reports.example", date: "Thu, 03 Dec 2026 10:00:00 +0000",
            submitter: "mx.example.org")
        let bytes = try mail.render()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(
            text.contains(
                "\r\nSubject: Report Domain: Example.com Submitter: mx.example.org Report-ID: <1700006400.example.com@mx.example.org>\r\n"
            ))
        #expect(text.contains("filename=\"mx.example.org!example.com!1700006400!1700092799.xml.gz\""))
        #expect(text.contains("Content-Type: application/gzip"))
        #expect(!bytes.contains { $0 >= 0x80 } && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        // Posta's own reader (the one the report address uses) finds the same report in the mail.
        #expect(try DMARCReportPayload.reports(in: bytes) == [report])
    }

    @Test("each domain's report of a period is claimed once", arguments: TestDatabases.dialects)
    func ledger(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DMARCSchema.migrations)
            let ledger = DMARCReportLedger(database: db)
            #expect(try await ledger.claim(domain: "example.com", periodStart: 86_400, at: 100_000))
            #expect(try await !ledger.claim(domain: "example.com", periodStart: 86_400, at: 100_001))
            #expect(try await ledger.claim(domain: "example.net", periodStart: 86_400, at: 100_002))
            try await ledger.release(domain: "example.net", periodStart: 86_400)
            #expect(try await ledger.claim(domain: "example.net", periodStart: 86_400, at: 100_003))
            try await ledger.finish(domain: "example.com", periodStart: 86_400, outcome: "sent to agg@reports.example")
            #expect(try await ledger.outcome(domain: "example.com", periodStart: 86_400) == "sent to agg@reports.example")
            let positions = ReportImportPositions(database: db, kind: "dmarc")
            #expect(try await positions.position(mailboxID: 7, uidValidity: 11) == 0)
            try await positions.setPosition(mailboxID: 7, uidValidity: 11, lastUID: 42)
            #expect(try await positions.position(mailboxID: 7, uidValidity: 11) == 42)
            // Another kind of report reads the same mailbox on its own.
            #expect(try await ReportImportPositions(database: db, kind: "tlsrpt").position(mailboxID: 7, uidValidity: 11) == 0)
            // A new UIDVALIDITY: the mailbox is another one now, read from the start.
            #expect(try await positions.position(mailboxID: 7, uidValidity: 12) == 0)
            try await ledger.purge(before: 2 * 86_400)
            #expect(try await ledger.outcome(domain: "example.com", periodStart: 86_400) == nil)
        }
    }

    @Test("[dmarc] settings, defaults and bad values")
    func settings() throws {
        let defaults = try #require(
            parsedConfig("hostname = \"mx.example.org\"\ndata_dir = \"/var/lib/posta\"\n", sections: [DMARCSettings.self]))
        #expect(!defaults.dmarc.sendReports && defaults.dmarc.retention == .days(180))
        #expect(defaults.dmarc.reporter(hostname: "mx.example.org").email == "postmaster@mx.example.org")
        let set = try #require(
            parsedConfig(
                """
                hostname = "mx.example.org"
                data_dir = "/var/lib/posta"
                [dmarc]
                send_reports = true
                report_from = "dmarc@example.org"
                org_name = "Example University"
                report_address = "reports@example.org"
                retention = "30d"
                """, sections: [DMARCSettings.self]))
        #expect(set.dmarc.sendReports && set.dmarc.reportAddress == "reports@example.org" && set.dmarc.retention == .days(30))
        let reporter = set.dmarc.reporter(hostname: "mx.example.org")
        #expect(
            reporter.orgName == "Example University" && reporter.email == "dmarc@example.org"
                && reporter.domain == "mx.example.org")
        let bad = singleError(
            "hostname = \"h.example\"\ndata_dir = \"/d\"\n[dmarc]\nreport_from = \"not an address\"\n",
            sections: [DMARCSettings.self])
        #expect(bad?.key == "dmarc.report_from")
        #expect(
            singleError(
                "hostname = \"h.example\"\ndata_dir = \"/d\"\n[dmarc]\nretention = \"1h\"\n", sections: [DMARCSettings.self])?.key
                == "dmarc.retention")
        #expect(
            singleError("hostname = \"h.example\"\ndata_dir = \"/d\"\n[dmarc]\nsend = true\n", sections: [DMARCSettings.self])
                != nil)
    }
}
