import Admin
import Hummingbird

/// `/admin`: the site at a glance: domains, accounts, aliases, and the queue by state with a
/// server-side SVG bar chart (no script, no external chart service).
extension ConsolePages {
    func dashboard(_ call: ConsoleCall) async throws -> Response {
        if Navigation.isUser(call.principal) { return ConsoleHTTP.redirect("/admin/me") }
        let data = try await console.dashboard(as: call.principal)
        let queue: [(String, Int)] = [
            ("Active", data.queue.active), ("Deferred", data.queue.deferred), ("Held", data.queue.held),
            ("Other", data.queue.other),
        ]
        let context: [String: Any] = [
            "cards": [
                ["label": "Domains", "value": data.domains, "link": call.principal.may(.manageDomains) ? "/admin/domains" : ""],
                [
                    "label": "Accounts", "value": data.accounts,
                    "link": call.principal.may(.viewAccounts) ? "/admin/accounts" : "",
                ],
                ["label": "Aliases", "value": data.aliases, "link": call.principal.may(.manageAliases) ? "/admin/aliases" : ""],
                [
                    "label": "Queued messages", "value": data.queue.total,
                    "link": call.principal.may(.manageQueue) ? "/admin/queue" : "",
                ],
            ],
            "chart": Self.barChart(queue),
            "queueEmpty": data.queue.total == 0,
        ]
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
