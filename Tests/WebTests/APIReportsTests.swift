import Admin
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MailAuth
import Testing

/// The report endpoints: the same answers and permissions as the console's pages.
@Suite struct APIReportsTests {
    @Test func superadminReadsEverything() async throws {
        try await ReportsFixture.with { fixture, client in
            let token = fixture.tokens["root"]
            let sources = try await client.api(.get, "/reports/dmarc/sources", token: token)
            #expect(sources.status == .ok)
            #expect(sources.items.compactMap { $0["source_ip"] as? String } == ["192.0.2.1", "198.51.100.7"])
            #expect(sources.items.last?["dmarc_fail"] as? Int == 4 && sources.items.first?["dkim_pass"] as? Int == 4)
            let reports = try await client.api(.get, "/reports/dmarc?domain=other.org&since=2023-11-15", token: token)
            #expect(reports.items.compactMap { $0["report_id"] as? String } == ["r-other.org"])
            #expect(try await client.api(.get, "/reports/dmarc?since=2023-11-16", token: token).items.isEmpty)
            let badDay = try await client.api(.get, "/reports/dmarc?since=tomorrow", token: token)
            #expect(badDay.status == .unprocessableContent && badDay.isProblem)
            #expect(try await client.api(.get, "/reports/dmarc?limit=501", token: token).isProblem)

            let tls = try await client.api(.get, "/reports/tls", token: token)
            let report = try #require(tls.items.first?["report"] as? [String: Any])
            #expect(report["report-id"] as? String == "tls-1")
            #expect((report["policies"] as? [Any])?.count == 2)
            let sts = try await client.api(.get, "/mta-sts/policies", token: token)
            #expect(sts.items.first?["domain"] as? String == "gmail.example" && sts.items.first?["mode"] as? String == "enforce")
            #expect(sts.items.first?["mx"] as? [String] == ["*.gmail.example"])
        }
    }

    @Test func writtenReportsAsPostaWouldSendThem() async throws {
        try await ReportsFixture.with { fixture, client in
            let token = fixture.tokens["root"]
            let xml = try await client.api(.get, "/reports/dmarc/example.org/2023-11-15", token: token)
            #expect(xml.status == .ok && xml.headers[.contentType] == "application/xml")
            let report = try DMARCFeedback.decode(xml: Array(xml.body))
            #expect(report.records.map(\.row.sourceIP) == ["203.0.113.5"])
            #expect(try await client.api(.get, "/reports/dmarc/example.org/2023-11-16", token: token).status == .notFound)
            #expect(
                try await client.api(.get, "/reports/dmarc/example.org/someday", token: token).status == .unprocessableContent)

            let json = try await client.api(.get, "/reports/tls/gmail.example/2023-11-15", token: token)
            #expect(json.status == .ok && json.headers[.contentType]?.hasPrefix("application/tlsrpt+json") == true)
            let tls = try TLSRPTReport.decode(received: Array(json.body))
            #expect(tls.policies.first?.failureDetails?.first?.resultType == .certificateExpired)
        }
    }

    @Test func sendingIsTheSuperadminsAndAudited() async throws {
        try await ReportsFixture.with { fixture, client in
            let denied = try await client.api(
                .post, "/reports/dmarc/send", token: fixture.tokens["dora"], json: ["day": "2023-11-15"])
            #expect(denied.status == .forbidden && denied.isProblem)
            #expect(await fixture.mailing.dmarcDays.isEmpty)
            let dmarc = try await client.api(
                .post, "/reports/dmarc/send", token: fixture.tokens["root"], json: ["day": "2023-11-15"])
            #expect(dmarc.status == .ok && dmarc.items.first?["recipients"] as? [String] == ["agg@sender.example"])
            let tls = try await client.api(.post, "/reports/tls/send", token: fixture.tokens["root"], json: ["day": "2023-11-15"])
            #expect(tls.items.first?["domain"] as? String == "gmail.example")
            #expect((tls.items.first?["problems"] as? [String])?.count == 1)
            #expect(await fixture.mailing.tlsDays == [ReportsFixture.day])
            let bad = try await client.api(.post, "/reports/tls/send", token: fixture.tokens["root"], json: ["day": "15/11/2023"])
            #expect(bad.status == .unprocessableContent && bad.isProblem)
            let audit = try await fixture.console.auditLog(as: ReportsFixture.cli, AuditFilter(actor: "admin:root")).items
            #expect(audit.filter { $0.action.hasPrefix("reports.") }.map(\.channel) == [.api, .api])
        }
    }

    @Test func domainAdminIsScopedAndHelpdeskRefused() async throws {
        try await ReportsFixture.with { fixture, client in
            let dora = fixture.tokens["dora"]
            let sources = try await client.api(.get, "/reports/dmarc/sources", token: dora)
            #expect(sources.items.compactMap { $0["domain"] as? String } == ["example.org"])
            let tls = try await client.api(.get, "/reports/tls", token: dora)
            let policies = (tls.items.first?["report"] as? [String: Any])?["policies"] as? [[String: Any]]
            #expect(policies?.count == 1)
            for path in [
                "/reports/dmarc/sources?domain=other.org", "/reports/dmarc?domain=other.org", "/mta-sts/policies",
                "/reports/tls/gmail.example/2023-11-15",
            ] {
                let response = try await client.api(.get, path, token: dora)
                #expect(response.status == .forbidden && response.isProblem, "\(path)")
            }
            for path in ["/reports/dmarc/sources", "/reports/dmarc", "/reports/tls", "/mta-sts/policies"] {
                #expect(try await client.api(.get, path, token: fixture.tokens["hal"]).status == .forbidden, "\(path)")
            }
        }
    }
}
