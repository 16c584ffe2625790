import Core

/// "Send now": the day's DMARC aggregate reports (RFC 9990 §2.1) and TLS reports (RFC 8460
/// §5.3) queued by hand, as `posta dmarc send-reports` and `posta tlsrpt send` do. Site-wide
/// (`manageReports`, superadmin). A report goes once per domain and day whoever sends it, so
/// sending again answers nothing new. Audited with what was queued.
extension AdminConsole {
    /// Queues the DMARC aggregate reports of the UTC day holding `periodStart`.
    public func queueDMARCReports(as principal: Principal, periodStart: Int64, early: Bool = false) async throws
        -> [QueuedReport]
    {
        try principal.requireSiteWide(.manageReports)
        let day = try endedDay(periodStart, early: early)
        let mailing = try requireReportMailing()
        let queued = try await mailing.queueDMARCReports(periodStart: day)
        await audit(principal, "reports.dmarc.send", target: UnixTime.dayText(day), after: queued)
        return queued
    }

    /// Queues the TLS reports of the UTC day holding `periodStart`.
    public func queueTLSReports(as principal: Principal, periodStart: Int64, early: Bool = false) async throws
        -> [QueuedReport]
    {
        try principal.requireSiteWide(.manageReports)
        let day = try endedDay(periodStart, early: early)
        let mailing = try requireReportMailing()
        let queued = try await mailing.queueTLSReports(periodStart: day)
        await audit(principal, "reports.tls.send", target: UnixTime.dayText(day), after: queued)
        return queued
    }

    /// The start of the UTC day holding `time`, refused while that day lasts: a report goes once
    /// per domain and day, so one sent early would leave out the rest of the day for good
    /// (`early`, the CLI's `--early`, sends it anyway: tests, a site about to be retired).
    private func endedDay(_ time: Int64, early: Bool) throws(AdminError) -> Int64 {
        let day = UnixTime.dayStart(of: time)
        guard early || day + UnixTime.daySeconds <= now else {
            throw .invalid("\(UnixTime.dayText(day)) has not ended yet: its reports go out the day after.")
        }
        return day
    }

    private func requireReportMailing() throws(AdminError) -> any ReportMailing {
        guard let reportMailing else { throw .conflict("Report mail is sent by a site: none is set up here.") }
        return reportMailing
    }
}
