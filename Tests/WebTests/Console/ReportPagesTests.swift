import Admin
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MailAuth
import Testing

@testable import Web

/// `/admin/reports` and its pages end to end: what each role sees, the downloads Posta would
/// send, and "send now" for superadmins.
@Suite struct ReportPagesTests {
    static func get(_ client: any TestClientProtocol, _ cookie: String, _ uri: String) async throws -> (
        HTTPResponse.Status, HTTPFields, String
    ) {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }

    static func logIn(_ client: any TestClientProtocol, _ login: String) async throws -> (cookie: String, csrf: String) {
        try await ConsolePageTests.logIn(client, login, ReportsFixture.password)
    }

    @Test func superadminSeesEveryDomainTheCacheAndTheSendForm() async throws {
        try await ReportsFixture.with { _, client in
            let (cookie, _) = try await Self.logIn(client, "root")
            let (status, _, overview) = try await Self.get(client, cookie, "/admin/reports")
            #expect(status == .ok && overview.contains("aria-current=\"page\">Reports</a>"))
            // The overview covers the last 30 days; the stored reports are older: the empty state.
            #expect(overview.contains("No DMARC report received in the last 30 days"))
            #expect(overview.contains("href=\"/admin/reports/mta-sts\"") && overview.contains("href=\"/admin/reports/summary\""))
            #expect(overview.contains("action=\"/admin/reports/send\""))

            let (_, _, dmarc) = try await Self.get(client, cookie, "/admin/reports/dmarc")
            #expect(dmarc.contains("<code>192.0.2.1</code>") && dmarc.contains("<code>198.51.100.7</code>"))
            #expect(dmarc.contains("<code>r-other.org</code>") && dmarc.contains("badge badge-warn\">4<"))
            let (_, _, filtered) = try await Self.get(client, cookie, "/admin/reports/dmarc?domain=other.org&since=2023-11-15")
            #expect(filtered.contains("198.51.100.7") && !filtered.contains("192.0.2.1"))
            let (_, _, later) = try await Self.get(client, cookie, "/admin/reports/dmarc?since=2023-11-16")
            #expect(later.contains("No sending source") && later.contains("No report received"))
            #expect(try await Self.get(client, cookie, "/admin/reports/dmarc?since=15.11.2023").0 == .badRequest)

            let (_, _, tls) = try await Self.get(client, cookie, "/admin/reports/tls")
            #expect(tls.contains(">example.org</th>") && tls.contains(">other.org</th>"))
            #expect(tls.contains("<code>certificate-not-trusted</code> 1") && tls.contains("sender.example"))

            let (_, _, sts) = try await Self.get(client, cookie, "/admin/reports/mta-sts")
            #expect(sts.contains(">gmail.example</th>") && sts.contains("<code>*.gmail.example</code>"))
            #expect(sts.contains("badge badge-ok\">enforce") && sts.contains("expired"))
        }
    }

    @Test func downloadsAreTheReportsPostaWouldSend() async throws {
        try await ReportsFixture.with { fixture, client in
            let (cookie, _) = try await Self.logIn(client, "root")
            let (status, headers, xml) = try await Self.get(
                client, cookie, "/admin/reports/dmarc/download?domain=example.org&day=2023-11-15")
            #expect(status == .ok && headers[.contentType] == "application/xml")
            #expect(
                headers[.contentDisposition] == "attachment; filename=\"mx.test!example.org!1700006400!1700092799.xml\"")
            let report = try DMARCFeedback.decode(xml: Array(xml.utf8))
            #expect(report.policyPublished.domain == "example.org" && report.records.map(\.row.sourceIP) == ["203.0.113.5"])
            let same = try await fixture.console.dmarcReportDocument(
                as: ReportsFixture.cli, domain: "example.org", periodStart: ReportsFixture.day)
            #expect(Array(xml.utf8) == same.bytes)

            let (jsonStatus, jsonHeaders, json) = try await Self.get(
                client, cookie, "/admin/reports/tls/download?domain=gmail.example&day=2023-11-15")
            #expect(jsonStatus == .ok && jsonHeaders[.contentType] == "application/tlsrpt+json")
            #expect(jsonHeaders[.contentDisposition]?.contains("mx.test!gmail.example!1700006400!1700092799.json") == true)
            let tls = try TLSRPTReport.decode(received: Array(json.utf8))
            #expect(tls.policies.first?.summary == .init(successful: 3, failed: 1))

            #expect(
                try await Self.get(client, cookie, "/admin/reports/dmarc/download?domain=example.org&day=2023-11-16").0
                    == .notFound)
            #expect(try await Self.get(client, cookie, "/admin/reports/tls/download?domain=gmail.example").0 == .badRequest)
        }
    }

    @Test func superadminSendsADaysReportsAndSeesWhereTheyWent() async throws {
        try await ReportsFixture.with { fixture, client in
            let (cookie, csrf) = try await Self.logIn(client, "root")
            var headers = ConsolePageTests.form
            headers[.cookie] = cookie
            let body = "day=2023-11-15&kind=both&csrf=\(csrf)"
            let (status, html) = try await client.execute(
                uri: "/admin/reports/send", method: .post, headers: headers, body: ByteBuffer(string: body)
            ) { response in (response.status, String(buffer: response.body)) }
            #expect(status == .ok && html.contains("Reports of 2023-11-15 queued"))
            #expect(html.contains("<code>agg@sender.example</code>") && html.contains(">gmail.example</th>"))
            // A problem text is shown as text.
            #expect(html.contains("not to &lt;b&gt;x&lt;/b&gt;: refused"))
            #expect(await fixture.mailing.dmarcDays == [ReportsFixture.day])
            #expect(await fixture.mailing.tlsDays == [ReportsFixture.day])
            let audit = try await fixture.console.auditLog(as: ReportsFixture.cli, AuditFilter(actor: "admin:root")).items
            #expect(Set(audit.map(\.action)).isSuperset(of: ["reports.dmarc.send", "reports.tls.send"]))

            let (bad, reshown) = try await client.execute(
                uri: "/admin/reports/send", method: .post, headers: headers,
                body: ByteBuffer(string: "day=yesterday&csrf=\(csrf)")
            ) { response in (response.status, String(buffer: response.body)) }
            #expect(bad == .unprocessableContent && reshown.contains("Choose a day."))
        }
    }

    @Test func domainAdminSeesTheirDomainsOnlyAndHelpdeskNothing() async throws {
        try await ReportsFixture.with { fixture, client in
            let (cookie, csrf) = try await Self.logIn(client, "dora")
            let (status, _, overview) = try await Self.get(client, cookie, "/admin/reports")
            #expect(status == .ok && !overview.contains("/admin/reports/mta-sts") && !overview.contains("/admin/reports/send"))
            let (_, _, dmarc) = try await Self.get(client, cookie, "/admin/reports/dmarc")
            #expect(dmarc.contains("192.0.2.1") && !dmarc.contains("198.51.100.7") && !dmarc.contains("r-other.org"))
            let (_, _, tls) = try await Self.get(client, cookie, "/admin/reports/tls")
            #expect(tls.contains(">example.org</th>") && !tls.contains(">other.org</th>"))
            for uri in [
                "/admin/reports/dmarc?domain=other.org", "/admin/reports/tls?domain=other.org", "/admin/reports/mta-sts",
                "/admin/reports/tls/download?domain=gmail.example&day=2023-11-15",
            ] {
                #expect(try await Self.get(client, cookie, uri).0 == .forbidden, "\(uri)")
            }
            var headers = ConsolePageTests.form
            headers[.cookie] = cookie
            let sent = try await client.execute(
                uri: "/admin/reports/send", method: .post, headers: headers,
                body: ByteBuffer(string: "day=2023-11-15&csrf=\(csrf)")
            ) { $0.status }
            #expect(sent == .forbidden)
            #expect(await fixture.mailing.dmarcDays.isEmpty)

            let (helpdesk, _) = try await Self.logIn(client, "hal")
            let (_, _, home) = try await Self.get(client, helpdesk, "/admin")
            #expect(!home.contains(">Reports</a>"))
            for uri in ["/admin/reports", "/admin/reports/dmarc", "/admin/reports/tls", "/admin/reports/mta-sts"] {
                #expect(try await Self.get(client, helpdesk, uri).0 == .forbidden, "\(uri)")
            }
        }
    }
}
