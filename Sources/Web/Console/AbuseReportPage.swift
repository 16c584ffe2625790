import Admin
import Core
import Hummingbird
import Monitor

/// `/admin/abuse/report?since=24h`: the abuse report (`posta abuse report`, docs/abuse.md):
/// the accounts that sent mail from addresses they never read mail from, one row per account
/// and client address. A domain admin sees the accounts of their domains.
extension ConsolePages {
    /// The periods the page offers; the API and the CLI take any duration.
    static let abuseReportPeriods = ["1h", "24h", "7d", "30d"]

    func abuseReport(_ call: ConsoleCall) async throws -> Response {
        let since = call.query.text("since") ?? "24h"
        guard Self.abuseReportPeriods.contains(since), let within = ConfigDuration(parsing: since) else {
            throw AdminError.invalid("Choose one of the periods: \(Self.abuseReportPeriods.joined(separator: ", ")).")
        }
        let report = try await console.abuseReport(as: call.principal, within: within)
        let rows: [[String: Any]] = report.accounts.flatMap { account in
            account.ips.map { ip -> [String: Any] in
                [
                    "account": account.account, "link": "/admin/abuse/show?account=" + FormData.encode(account.account),
                    "ip": ip.ip,
                    "rdns": ip.rdns ?? "unknown", "messages": ip.messages, "firstSeen": Format.time(ip.firstSeen),
                    "lastSeen": Format.time(ip.lastSeen), "readMail": ip.readMail,
                ]
            }
        }
        let data: [String: Any] = [
            "rows": rows, "empty": rows.isEmpty, "accounts": report.accounts.count, "since": Format.time(report.since),
            "period": since,
            "periods": Self.abuseReportPeriods.map {
                ["label": $0, "href": "/admin/abuse/report?since=" + $0, "current": $0 == since]
            },
        ]
        return page(call, "abuse_report", title: "Abuse report", section: "abuse", data)
    }
}
