import Admin
import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Monitor
import Testing

@testable import Web

/// `/admin/reports/summary` and `/admin/abuse/report` end to end: what a superadmin sees and
/// sends, the flash after sending, escaping, the domain admin and helpdesk held to their scope.
@Suite struct SummaryPageTests {
    typealias Pages = SiteOperationsPageTests

    /// The flash a redirect sets, decoded.
    static func flash(_ headers: HTTPFields) -> Flash? {
        headers[values: .setCookie].first { $0.hasPrefix(ConsoleHTTP.flashCookie + "=") }.flatMap {
            Flash(cookieValue: String($0.dropFirst(ConsoleHTTP.flashCookie.count + 1).prefix { $0 != ";" }))
        }
    }

    static func send(_ client: any TestClientProtocol, _ cookie: String, _ body: String) async throws -> (
        HTTPResponse.Status, Flash?
    ) {
        var headers = ConsolePageTests.form
        headers[.cookie] = cookie
        return try await client.execute(
            uri: "/admin/reports/summary/send", method: .post, headers: headers, body: ByteBuffer(string: body)
        ) { response in (response.status, Self.flash(response.headers)) }
    }

    @Test func superadminSeesTheDayAndSendsItsMailOnce() async throws {
        try await SummaryFixture.with { console, mailing, client in
            try await SummaryFixture.seed(console)
            let rollup = try #require(console.rollup)
            rollup.add(3, to: .submitted, key: "alice@example.org")
            rollup.add(2, to: .refused, key: "mx 550 <script>alert(1)</script>")
            rollup.add(5, to: .received, key: "submission")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "boss", "boss-secret-1")
            let today = DailySummaryMail.dayText(UnixTime.now())
            let (status, html) = try await Pages.get(client, cookie, "/admin/reports/summary")
            #expect(status == .ok && html.contains("<h1>Daily summary</h1>"))
            #expect(html.contains("aria-current=\"page\">Reports</a>"))
            #expect(html.contains("value=\"\(today)\"") && html.contains("today so far"))
            // The numbers of the library (what `posta summary show` prints), counted before the flush.
            #expect(html.contains("id=\"total-submitted\">3<") && html.contains("id=\"total-received\">5<"))
            #expect(html.contains("<th scope=\"row\">alice@example.org</th><td class=\"num\">3</td>"))
            #expect(html.contains("mx 550 &lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"))
            #expect(html.contains("No login failed on this day.") && html.contains("not sampled"))
            #expect(html.contains("Send this day's summary mail now"))

            // Yesterday: empty, with a link back to today.
            let yesterday = DailySummaryMail.dayText(UnixTime.now() - 86_400)
            let (_, before) = try await Pages.get(client, cookie, "/admin/reports/summary?day=\(yesterday)")
            #expect(before.contains("No account submitted mail on this day.") && before.contains("Next day"))
            #expect(try await Pages.get(client, cookie, "/admin/reports/summary?day=yesterday").0 == .badRequest)

            let (sent, flash) = try await Self.send(client, cookie, "day=\(yesterday)&csrf=\(csrf)")
            #expect(
                sent == .seeOther && flash == Flash(.success, "The summary mail of \(yesterday) is queued to the postmaster."))
            let (twice, refused) = try await Self.send(client, cookie, "day=\(yesterday)&csrf=\(csrf)")
            #expect(twice == .seeOther && refused?.kind == .error && refused?.text.contains("was sent before") == true)
            let (again, queued) = try await Self.send(client, cookie, "day=\(yesterday)&again=true&csrf=\(csrf)")
            #expect(again == .seeOther && queued?.kind == .success)
            #expect(mailing.calls.map(\.again) == [false, false, true])
            #expect(Set(mailing.calls.map(\.day)) == [Format.parseDay(yesterday)])
            // Without the CSRF token nothing is sent.
            #expect(try await Self.send(client, cookie, "day=\(yesterday)").0 == .forbidden)
            #expect(mailing.calls.count == 3)
            let audit = try await console.auditLog(as: SiteOperationsPageTests.cli, AuditFilter(action: "summary.send"))
            #expect(audit.items.map(\.actor) == ["admin:boss", "admin:boss"])
        }
    }

    @Test func theSummaryIsSiteWideAndTheReportScoped() async throws {
        try await SummaryFixture.with { console, mailing, client in
            try await SummaryFixture.seed(console)
            try await SummaryFixture.recordSends(console)
            let (dora, csrf) = try await ConsolePageTests.logIn(client, "dora", "dora-secret-1")
            #expect(try await Pages.get(client, dora, "/admin/reports/summary").0 == .forbidden)
            #expect(try await Self.send(client, dora, "csrf=\(csrf)").0 == .forbidden)
            #expect(mailing.calls.isEmpty)
            let (status, report) = try await Pages.get(client, dora, "/admin/abuse/report?since=1h")
            #expect(status == .ok && report.contains("alice@example.org") && !report.contains("carol@other.org"))
            #expect(report.contains("<code>203.0.113.9</code>") && report.contains("aria-current=\"page\">1h</a>"))
            #expect(try await Pages.get(client, dora, "/admin/abuse/report?since=5y").0 == .badRequest)

            let (desk, _) = try await ConsolePageTests.logIn(client, "desk", "desk-secret-1")
            #expect(try await Pages.get(client, desk, "/admin/reports/summary").0 == .forbidden)
            #expect(try await Pages.get(client, desk, "/admin/abuse/report").0 == .forbidden)

            let (boss, _) = try await ConsolePageTests.logIn(client, "boss", "boss-secret-1")
            let (_, abuse) = try await Pages.get(client, boss, "/admin/abuse")
            #expect(abuse.contains("href=\"/admin/abuse/report\""))
            let (_, all) = try await Pages.get(client, boss, "/admin/abuse/report")
            #expect(
                all.contains("alice@example.org") && all.contains("carol@other.org") && all.contains("<code>192.0.2.77</code>"))
            #expect(all.contains("aria-current=\"page\">24h</a>") && all.contains("id=\"report-accounts\">2<"))
            let (_, week) = try await Pages.get(client, boss, "/admin/abuse/report?since=7d")
            #expect(week.contains("aria-current=\"page\">7d</a>"))
        }
    }
}
