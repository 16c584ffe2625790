import Core
import MailAuth
import PostaTestSupport
import Testing

@testable import Policy

/// DMARC's tables on SQLite and PostgreSQL: received reports and Posta's own results.
@Suite("DMARC storage on SQLite and PostgreSQL")
struct DMARCStoreTests {
    static func report(id: String, org: String = "receiver.example", rows: [(String, Int64, Bool, Bool, DMARCReportDisposition)])
        -> DMARCFeedback
    {
        DMARCFeedback(
            metadata: DMARCReportMetadata(
                orgName: org, email: "noreply@\(org)", reportID: id,
                dateRange: DMARCDateRange(begin: 1_700_006_400, end: 1_700_092_799)),
            policyPublished: DMARCPolicyPublished(domain: "Example.com", p: .reject),
            records: rows.map { ip, count, dkim, spf, disposition in
                DMARCReportRecord(
                    row: DMARCReportRow(
                        sourceIP: ip, count: count,
                        policyEvaluated: DMARCPolicyEvaluated(disposition: disposition, dkim: .init(dkim), spf: .init(spf))),
                    identifiers: DMARCReportIdentifiers(headerFrom: "example.com"),
                    authResults: DMARCReportAuthResults(
                        spf: DMARCReportSPFResult(domain: "example.com", result: spf ? .pass : .fail)))
            })
    }

    @Test("received reports: import once, per-source summary", arguments: TestDatabases.dialects)
    func receivedReports(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DMARCSchema.migrations)
            let store = DMARCReportStore(database: db)
            let first = Self.report(
                id: "r1",
                rows: [
                    ("192.0.2.1", 10, true, true, .pass), ("192.0.2.1", 2, false, true, .pass),
                    ("203.0.113.9", 5, false, false, .reject),
                ])
            let imported = try await store.importReports(from: try first.gzippedXML(), receivedAt: 1_700_100_000)
            #expect(imported.map(\.duplicate) == [false])
            #expect(imported.first?.messages == 17 && imported.first?.policyDomain == "example.com")
            let again = try await store.importReports(from: try first.xml(), receivedAt: 1_700_100_001)
            #expect(again.map(\.duplicate) == [true])
            let second = Self.report(id: "r1", org: "other.example", rows: [("192.0.2.1", 4, true, false, .pass)])
            _ = try await store.store(second, receivedAt: 1_700_100_002)

            let sources = try await store.sources(domain: "EXAMPLE.com")
            #expect(sources.count == 2)
            let good = try #require(sources.first { $0.sourceIP == "192.0.2.1" })
            #expect(
                good.messages == 16 && good.dkimPass == 14 && good.spfPass == 12 && good.dmarcPass == 16 && good.reporters == 2)
            #expect(good.dkimFail == 2 && good.spfFail == 4 && good.disposition == "pass")
            let bad = try #require(sources.first { $0.sourceIP == "203.0.113.9" })
            #expect(bad.messages == 5 && bad.dmarcFail == 5 && bad.disposition == "reject")
            #expect(try await store.sources(domain: "other.example").isEmpty)
            #expect(try await store.sources(since: 1_700_092_800).isEmpty)
            #expect(try await store.sources(since: 1_700_000_000).count == 2)
            #expect(try await store.reports().map(\.orgName) == ["other.example", "receiver.example"])
            #expect(throws: DMARCReportError.self) {
                try DMARCReportPayload.reports(in: Array("not a report".utf8))
            }
        }
    }

    static func evaluation(_ result: DMARCResult, domain: String = "example.com", dkim: Bool = false, spf: Bool = false)
        -> (DMARCEvaluation, DMARCMessage)
    {
        let record = DMARCRecord(policy: .reject, aggregateReportURIs: [DMARCReportURI("mailto:dmarc@example.com")!])
        let evaluation = DMARCEvaluation(
            result: result, authorDomain: domain, policyDomain: "example.com", record: record, publishedPolicy: .reject,
            requestedPolicy: .reject, disposition: result == .fail ? .reject : .none, dkimAlignedDomain: dkim ? domain : nil,
            spfAlignedDomain: spf ? domain : nil)
        let message = DMARCMessage(
            fromDomains: [domain], spf: DMARCSPFInput(domain: domain, result: spf ? .pass : .fail),
            dkim: dkim ? [DMARCDKIMInput(domain: domain, selector: "s1", result: .pass)] : [])
        return (evaluation, message)
    }

    @Test("own results: counted per day, written as a report", arguments: TestDatabases.dialects)
    func ownResults(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DMARCSchema.migrations)
            let store = DMARCEvaluationStore(database: db)
            let day: Int64 = 1_700_006_400
            let (pass, passMessage) = Self.evaluation(.pass, dkim: true, spf: true)
            let (fail, failMessage) = Self.evaluation(.fail, domain: "news.example.com")
            for offset in 0..<3 {
                #expect(
                    try await store.record(
                        pass, message: passMessage, sourceIP: "192.0.2.1", envelopeFrom: "example.com", at: day + Int64(offset)))
            }
            try await store.record(
                fail, message: failMessage, sourceIP: "203.0.113.9", envelopeFrom: "news.example.com", at: day + 50)
            try await store.record(
                fail, message: failMessage, sourceIP: "203.0.113.9", envelopeFrom: "news.example.com", at: day + 86_400)
            let (none, noneMessage) = (
                DMARCEvaluation(result: .none, authorDomain: "x.example"), DMARCMessage(fromDomains: ["x.example"])
            )
            #expect(try await !store.record(none, message: noneMessage, sourceIP: "192.0.2.2", envelopeFrom: nil, at: day))

            let domains = try await store.domains(periodStart: day)
            #expect(domains.map(\.domain) == ["example.com"])
            #expect(domains.first?.reportURIs == ["mailto:dmarc@example.com"])
            let reporter = DMARCReporter(orgName: "mx.example.org", email: "postmaster@mx.example.org", domain: "mx.example.org")
            let report = try #require(
                try await store.aggregateReport(domain: "example.com", periodStart: day, reporter: reporter))
            #expect(report.metadata.reportID == "1700006400.example.com@mx.example.org")
            #expect(report.metadata.dateRange == DMARCDateRange(begin: day, end: day + 86_399))
            #expect(report.policyPublished.domain == "example.com" && report.policyPublished.p == .reject)
            let counts = Dictionary(uniqueKeysWithValues: report.records.map { ($0.row.sourceIP, $0.row.count) })
            #expect(counts == ["192.0.2.1": 3, "203.0.113.9": 1])
            #expect(try DMARCFeedback.decode(xml: try report.xml()) == report)
            #expect(try await store.aggregateReport(domain: "example.com", periodStart: day - 86_400, reporter: reporter) == nil)
            #expect(
                reporter.filename(policyDomain: "example.com", periodStart: day, gzip: true).description
                    == "mx.example.org!example.com!1700006400!1700092799.xml.gz")

            let sources = try await store.sources(domain: "example.com", since: day, until: day + 86_400)
            #expect(sources.map(\.sourceIP) == ["192.0.2.1", "203.0.113.9"])
            #expect(sources.map(\.dmarcPass) == [3, 0])
            #expect(try await store.purge(before: day + 86_400) == 2)
            #expect(try await store.aggregateReport(domain: "example.com", periodStart: day, reporter: reporter) == nil)
            #expect(DMARCEvaluationStore.periodStart(of: day + 86_399) == day)
        }
    }
}
