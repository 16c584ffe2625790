import Admin
import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Monitor
import Testing

@testable import Web

/// The dashboard's SVG charts: geometry, escaping, the empty state; the page and the API on a
/// real console whose rollup holds counts not flushed yet.
@Suite struct DashboardChartTests {
    static let day: Int64 = 1_764_720_000  // 2025-12-03 00:00 UTC

    static func traffic(_ window: DashboardWindow = .day) -> DashboardTraffic {
        let buckets = (0..<window.bucketCount).map { day + Int64($0) * window.span.rawValue }
        func values(_ pairs: [Int: Int64]) -> [Int64] { buckets.indices.map { pairs[$0] ?? 0 } }
        var queue = [Int64?](repeating: nil, count: buckets.count)
        queue[3] = 4
        queue[4] = 10
        queue[9] = 2
        return DashboardTraffic(
            window: window, buckets: buckets,
            received: [
                DashboardSeries(key: "mx", label: "Inbound (MX)", values: values([3: 4, 9: 6])),
                DashboardSeries(key: "submission", label: "Submission", values: values([3: 4])),
            ],
            sent: [DashboardSeries(key: "local", label: "Delivered locally", values: values([3: 8]))],
            refused: [DashboardSeries(key: "mx 550 5.1.1", label: "bad destination mailbox address", values: values([9: 2]))],
            queueSize: queue, logins: [DashboardLogins(protocolName: "imap", succeeded: 3, failed: 1)],
            topSenders: [DashboardRank("\"><img src=x onerror=alert(1)>@example.org", 4)],
            topRefusedClients: [DashboardRank("<script>alert(1)</script>", 2)])
    }

    @Test func scaleIsRound() {
        #expect(ChartScale(largest: 0).ticks == [0, 1])
        #expect(ChartScale(largest: 8).ticks == [0, 2, 4, 6, 8])
        #expect(ChartScale(largest: 9).ticks == [0, 5, 10])
        #expect(ChartScale(largest: 1234).top == 1500)
    }

    /// The dashboard rendered with `traffic`, and the figure `id` of it.
    static func render(_ traffic: DashboardTraffic) throws -> String {
        try ConsoleTemplates().rendered(
            "dashboard", ConsoleTemplateTests.frame(["cards": [], "traffic": DashboardCharts(traffic).context]))
    }

    static func figure(_ id: String, in html: String) throws -> String {
        let start = try #require(html.range(of: "<figure class=\"chart\" id=\"\(id)\">"))
        let end = try #require(html[start.upperBound...].range(of: "</figure>"))
        return String(html[start.lowerBound..<end.upperBound])
    }

    @Test func stackedBarsAreScaledAndTabulated() throws {
        let html = try Self.render(Self.traffic())
        let received = try Self.figure("chart-received", in: html)
        // role=img, named by its title and description; a bar per non-zero value, stacked.
        #expect(received.contains("role=\"img\" aria-labelledby=\"chart-received-title chart-received-desc\""))
        #expect(received.contains("<title id=\"chart-received-title\">Messages received per hour</title>"))
        #expect(
            received.contains("<desc id=\"chart-received-desc\">14 in the last 24 hours: 10 Inbound (MX), 4 Submission.</desc>"))
        // Bucket 3 totals 8 of a top of 8: the MX part from the axis (222) up half of 192.
        #expect(
            received.contains(
                "<rect x=\"138.4\" y=\"126\" width=\"19.8\" height=\"96\" rx=\"0\" class=\"chart-bar fill-blue\"/>"))
        #expect(
            received.contains("<rect x=\"138.4\" y=\"30\" width=\"19.8\" height=\"96\" rx=\"0\" class=\"chart-bar fill-teal\"/>")
        )
        // Time labels every 3 hours (UTC); the numbers in a table, with totals.
        #expect(received.contains(">03:00</text>") && received.contains(">21:00</text>"))
        #expect(
            received.contains(
                "<th scope=\"row\">2025-12-03 03:00 UTC</th><td class=\"num\">4</td><td class=\"num\">4</td><td class=\"num\">8</td>"
            ))
        #expect(
            received.contains(
                "<th scope=\"row\">Total</th><td class=\"num\">10</td><td class=\"num\">4</td><td class=\"num\">14</td>"))
        #expect(!html.contains("style="))
        #expect(try Self.figure("chart-refused", in: html).contains("mx 550 5.1.1 · bad destination mailbox address"))
        let queue = try Self.figure("chart-queue", in: html)
        #expect(queue.contains("<polyline points=") && queue.contains("<circle"))  // a run of two, and one alone
        #expect(queue.contains("<th scope=\"row\">Peak</th><td class=\"num\">10</td>"))
        let logins = try Self.figure("chart-logins", in: html)
        #expect(
            logins.contains("<th scope=\"row\">imap</th><td class=\"num\">3</td><td class=\"num\">1</td><td class=\"num\">4</td>")
        )
    }

    @Test func keysAreEscaped() throws {
        let html = try Self.render(Self.traffic())
        #expect(!html.contains("<script>alert") && !html.contains("<img src=x"))
        let clients = try Self.figure("chart-clients", in: html)
        #expect(clients.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let senders = try Self.figure("chart-senders", in: html)
        #expect(senders.contains("&gt;&lt;img src=x onerror=alert(1)&gt;@example.org"))
    }

    @Test func emptyWindowSaysSo() throws {
        var empty = Self.traffic(.hour)
        (empty.received, empty.sent, empty.refused) = ([], [], [])
        empty.queueSize = Array(repeating: nil, count: 60)
        (empty.logins, empty.topSenders, empty.topRefusedClients) = ([], [], [])
        #expect(empty.isEmpty)
        let context = DashboardCharts(empty).context
        #expect(context["empty"] as? Bool == true)
        #expect((context["received"] as? [String: Any])?["figure"] == nil)
        #expect(
            (context["queueChart"] as? [String: Any])?["emptyText"] as? String == "No sample of the queue in this window yet.")
        let html = try Self.render(empty)
        #expect(html.contains("No traffic yet") && !html.contains("chart-svg"))
        #expect(html.contains("<a href=\"/admin?window=hour\" aria-current=\"page\">Last hour</a>"))
        // One chart without data among others shows its sentence, not an axis.
        var some = Self.traffic()
        some.logins = []
        #expect(try Self.render(some).contains("<p class=\"empty chart-empty\">No logins in this window.</p>"))
    }

    @Test func pageAndAPIShowTheCountsOfThisNode() async throws {
        try await ConsoleFixture.with { console, client in
            let cli = ConsolePageTests.cli
            _ = try await console.addAdministrator(
                as: cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            let rollup = try #require(console.rollup)
            // Counted, not flushed: the dashboard flushes before it reads.
            rollup.add(3, to: .received, key: "mx")
            rollup.add(1, to: .refused, key: "mx 550 5.1.1")
            rollup.add(1, to: .refusedClient, key: "<script>alert(1)</script>")
            rollup.add(2, to: .submitted, key: "alice@example.org")
            let (cookie, _) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            try await client.execute(uri: "/admin?window=hour", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("id=\"total-received\">3</p>"))
                #expect(html.contains("<a href=\"/admin?window=hour\" aria-current=\"page\">Last hour</a>"))
                #expect(html.contains("<title id=\"chart-refused-title\">Refused commands per minute, by reason</title>"))
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"))
                #expect(html.contains("<th scope=\"row\">alice@example.org</th><td class=\"num\">2</td>"))
            }
            // A window that is not one falls back to the day.
            try await client.execute(uri: "/admin?window=%3Cx%3E", method: .get, headers: [.cookie: cookie]) { response in
                #expect(String(buffer: response.body).contains("aria-current=\"page\">Last 24 hours</a>"))
            }
        }
    }

    @Test func apiReturnsTheSameNumbers() async throws {
        try await APIFixture.with { fixture, client in
            let rollup = try #require(fixture.console.rollup)
            rollup.add(3, to: .received, key: "mx")
            rollup.add(2, to: .delivered, key: "local")
            rollup.add(7, to: .queueSize, key: "")
            let response = try await client.api(.get, "/dashboard?window=hour", token: fixture.superToken)
            #expect(response.status == .ok)
            let traffic = try #require(response.json["traffic"] as? [String: Any])
            #expect(traffic["window"] as? String == "hour" && traffic["bucket_seconds"] as? Int == 60)
            #expect((traffic["buckets"] as? [Int])?.count == 60)
            let received = try #require(traffic["received"] as? [[String: Any]])
            #expect(received.first?["key"] as? String == "mx" && received.first?["total"] as? Int == 3)
            #expect((traffic["queue_size"] as? [[String: Any]])?.first?["peak"] as? Int == 7)
            #expect(response.json["queue"] != nil)
            // The helpdesk sees it too (no domain scope); a bad window is refused by the document.
            #expect(try await client.api(.get, "/dashboard", token: fixture.helpdeskToken).status == .ok)
            #expect(try await client.api(.get, "/dashboard?window=year", token: fixture.superToken).status == .badRequest)
            #expect(try await client.api(.get, "/dashboard", token: nil).status == .unauthorized)
        }
    }
}
