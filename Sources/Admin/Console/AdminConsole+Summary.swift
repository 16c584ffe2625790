import Core
import Monitor

/// What sending a day's summary by hand did (`posta summary send`, the console, the API).
public struct DailySummarySending: Sendable, Codable, Equatable {
    /// The day's first second (UTC).
    public var day: Int64
    /// Sent even if it was sent before.
    public var again: Bool
    /// Queued now; false when it was sent before and `again` was not asked for.
    public var queued: Bool

    public init(day: Int64, again: Bool, queued: Bool) {
        self.day = day
        self.again = again
        self.queued = queued
    }
}

/// The daily summary (docs/summary.md): the site's mail of one UTC day. It counts every
/// domain's traffic (top senders, refusals, failing clients) without a domain column to filter
/// by, so, like the dashboard's traffic, it is shown only to principals without a domain scope:
/// `viewReports` site-wide (superadmins, an unscoped CLI), and sent by hand with `manageReports`.
extension AdminConsole {
    /// The summary of the UTC day starting at `day` (nil: today so far). This node's pending
    /// counts are flushed first, so today's numbers include the last minute.
    public func dailySummary(as principal: Principal, day: Int64? = nil) async throws -> DailySummary {
        try principal.requireSiteWide(.viewReports)
        let start = try summaryDay(day, default: UnixTime.dayStart(of: now))
        await flushCounts()
        return try await DailySummary.gather(day: start, top: summarySettings.top, database: database)
    }

    /// Queues the summary mail of the UTC day starting at `day` (nil: yesterday) to `[summary] to`
    /// through the site's `ReportMailing`: once per day for the whole cluster
    /// (`monitor_summary_sent`) unless `again`. Audited as `summary.send` when queued; a summary
    /// sent before answers `queued: false` and changes nothing.
    public func sendDailySummary(as principal: Principal, day: Int64? = nil, again: Bool = false) async throws
        -> DailySummarySending
    {
        try principal.requireSiteWide(.manageReports)
        let start = try summaryDay(day, default: UnixTime.dayStart(of: now) - 86_400)
        guard let reportMailing else { throw AdminError.conflict("report mail is not set up on this site") }
        await flushCounts()
        let queued = try await reportMailing.queueSummary(day: start, again: again)
        let result = DailySummarySending(day: start, again: again, queued: queued)
        if queued { await audit(principal, "summary.send", target: DailySummaryMail.dayText(start), after: result) }
        return result
    }

    /// The start of the UTC day holding `day`, `fallback` when nil; a day not begun yet is refused.
    func summaryDay(_ day: Int64?, default fallback: Int64) throws(AdminError) -> Int64 {
        let start = day.map { UnixTime.dayStart(of: $0) } ?? fallback
        guard start <= UnixTime.dayStart(of: now) else {
            throw .invalid("\(DailySummaryMail.dayText(start)) has not begun yet (days are UTC).")
        }
        return start
    }

    /// Adds this node's pending counts to the database (nothing outside `posta serve`); a failure
    /// is logged: the stored numbers are still worth showing.
    func flushCounts() async {
        do {
            try await rollup?.flush()
        } catch {
            logger.warning("cannot flush the counts before the summary", metadata: ["error": "\(error)"])
        }
    }
}
