import Admin
import Core
import Hummingbird
import Monitor

/// `/admin/reports/summary?day=YYYY-MM-DD`: the daily summary of one UTC day (default today so
/// far), the numbers `posta summary show` prints and the summary mail carries, each list as a
/// table; superadmins can queue the day's mail (`posta summary send`). Site-wide: principals
/// with a domain scope are refused (`AdminConsole.dailySummary`).
extension ConsolePages {
    func dailySummary(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let day = try Self.summaryDay(call.query.text("day"))
        let summary = try await console.dailySummary(as: call.principal, day: day)
        let today = UnixTime.dayStart(of: UnixTime.now())
        let dayText = DailySummaryMail.dayText(summary.day)
        func rows(_ counts: [DailySummary.Count]) -> [[String: Any]] {
            counts.map { ["key": $0.key, "count": $0.count] }
        }
        let mayAbuse = call.principal.may(.manageAbuse)
        let suspended: [[String: Any]] = summary.suspended.map {
            ["account": $0, "link": mayAbuse ? "/admin/abuse/show?account=" + FormData.encode($0) : ""]
        }
        let received = summary.received.reduce(0) { $0 + $1.count }
        var data: [String: Any] = [
            "day": dayText, "today": DailySummaryMail.dayText(today), "isToday": summary.day == today,
            "previous": "/admin/reports/summary?day=" + DailySummaryMail.dayText(summary.day - 86_400),
            "cards": [
                ["label": "Received", "value": received, "id": "received"],
                ["label": "Submitted", "value": summary.submitted, "id": "submitted"],
                ["label": "Refused", "value": summary.refused, "id": "refused"],
                ["label": "Failed logins", "value": summary.failedLogins, "id": "failed-logins"],
                ["label": "Suspended accounts", "value": summary.suspended.count, "id": "suspended"],
            ],
            "queuePeak": summary.queuePeak.map { "\($0.count) messages at \($0.key):00 UTC" } ?? "not sampled",
            "received": rows(summary.received), "noReceived": summary.received.isEmpty,
            "senders": rows(summary.topSenders), "noSenders": summary.topSenders.isEmpty,
            "refusals": rows(summary.topRefusals), "noRefusals": summary.topRefusals.isEmpty,
            "clients": rows(summary.topFailingClients), "noClients": summary.topFailingClients.isEmpty,
            "suspendedAccounts": suspended, "noSuspended": suspended.isEmpty,
            "maySend": call.principal.may(.manageReports),
        ]
        if summary.day < today {
            data["next"] = "/admin/reports/summary?day=" + DailySummaryMail.dayText(summary.day + 86_400)
        }
        return page(call, "summary", title: "Daily summary", section: "reports", data, form: form)
    }

    func sendDailySummary(_ call: ConsoleCall) async throws -> Response {
        let day = try Self.summaryDay(call.form.text("day"))
        let result = try await console.sendDailySummary(as: call.principal, day: day, again: call.form["again"] == "true")
        let dayText = DailySummaryMail.dayText(result.day)
        let back = "/admin/reports/summary?day=" + dayText
        guard result.queued else {
            return failed(back, "The summary of \(dayText) was sent before. Tick “Send it again” to send it once more.")
        }
        return done(back, "The summary mail of \(dayText) is queued to the postmaster.")
    }

    /// The day a form or link names (`YYYY-MM-DD`, UTC); nil when not given.
    static func summaryDay(_ text: String?) throws(AdminError) -> Int64? {
        guard let text else { return nil }
        guard let day = Format.parseDay(text) else { throw .invalid("Enter a day as YYYY-MM-DD.") }
        return day
    }

    /// A redirect after a POST that did nothing, with why in an error flash on the next page.
    func failed(_ location: String, _ message: String) -> Response {
        var response = ConsoleHTTP.redirect(location)
        ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.flashCookie, Flash(.error, message).cookieValue))
        return response
    }
}
