import Admin
import Hummingbird

/// `/admin?window=hour|day|week`: the site at a glance: domains, accounts, aliases, the queue by
/// state, and the traffic charts (messages received, delivered and refused per bucket, the
/// queue's size, logins by protocol, top senders and refused clients), all server-side SVG
/// (no script, no external chart service), each with its numbers as a table.
extension ConsolePages {
    func dashboard(_ call: ConsoleCall) async throws -> Response {
        if Navigation.isUser(call.principal) { return ConsoleHTTP.redirect("/admin/me") }
        let window = call.query.text("window").flatMap(DashboardWindow.init(rawValue:)) ?? .day
        let data = try await console.dashboard(as: call.principal, window: window)
        var cards: [[String: Any]] = [
            ["label": "Domains", "value": data.domains, "link": call.principal.may(.manageDomains) ? "/admin/domains" : ""],
            ["label": "Accounts", "value": data.accounts, "link": call.principal.may(.viewAccounts) ? "/admin/accounts" : ""],
            ["label": "Aliases", "value": data.aliases, "link": call.principal.may(.manageAliases) ? "/admin/aliases" : ""],
        ]
        var context: [String: Any] = [:]
        // The queue is site-wide: shown only to principals without a domain scope.
        if let counts = data.queue {
            cards.append([
                "label": "Queued messages", "value": counts.total,
                "link": call.principal.may(.manageQueue) ? "/admin/queue" : "",
            ])
            context["queue"] = [
                "chart": Self.barChart([
                    ("Active", counts.active), ("Deferred", counts.deferred), ("Held", counts.held), ("Other", counts.other),
                ]),
                "queueEmpty": counts.total == 0,
            ]
        }
        if let traffic = data.traffic { context["traffic"] = DashboardCharts(traffic).context }
        context["cards"] = cards
        return page(call, "dashboard", title: "Dashboard", section: "dashboard", context)
    }

    /// A horizontal bar chart's geometry for the template's SVG: one bar per (label, value),
    /// scaled to the largest value; presentation attributes only (CSP allows no inline style).
    static func barChart(_ series: [(String, Int)]) -> [String: Any] {
        let largest = max(1, series.map(\.1).max() ?? 1)
        let barWidth = 440.0
        let rowHeight = 36
        let bars: [[String: Any]] = series.enumerated().map { index, item in
            let width = Int((Double(item.1) / Double(largest) * barWidth).rounded())
            return [
                "label": item.0, "value": item.1, "y": index * rowHeight + 6, "textY": index * rowHeight + 25,
                "width": max(width, item.1 > 0 ? 2 : 0), "valueX": 130 + max(width, 0) + 8, "class": item.0.lowercased(),
            ]
        }
        return ["bars": bars, "height": series.count * rowHeight + 8]
    }
}
