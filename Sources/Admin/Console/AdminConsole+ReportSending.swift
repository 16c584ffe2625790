import Core

/// "Send now": the day's DMARC aggregate reports (RFC 9990 §2.1) and TLS reports (RFC 8460
/// §5.3) queued by hand, as `posta dmarc send-reports` and `posta tlsrpt send` do. Site-wide
/// (`manageReports`, superadmin). A report goes once per domain and day whoever sends it, so
/// sending again answers nothing new. Audited with what was queued.
extension AdminConsole {
    /// Queues the DMARC aggregate reports of the UTC day holding `periodStart`.
    public func queueDMARCReports(as principal: Principal, periodStart: Int64) async throws -> [QueuedReport] {
        try principal.requireSiteWide(.manageReports)
        let mailing = try requireReportMailing()
        let day = UnixTime.dayStart(of: periodStart)
        let queued = try await mailing.queueDMARCReports(periodStart: day)
        await audit(principal, "reports.dmarc.send", target: UnixTime.dayText(day), after: queued)
        return queued
    }

    /// Queues the TLS reports of the UTC day holding `periodStart`.
    public func queueTLSReports(as principal: Principal, periodStart: Int64) async throws -> [QueuedReport] {
        try principal.requireSiteWide(.manageReports)
        let mailing = try requireReportMailing()
        let day = UnixTime.dayStart(of: periodStart)
        let queued = try await mailing.queueTLSReports(periodStart: day)
        await audit(principal, "reports.tls.send", target: UnixTime.dayText(day), after: queued)
        return queued
    }

    private func requireReportMailing() throws(AdminError) -> any ReportMailing {
        guard let reportMailing else { throw .conflict("Report mail is sent by a site: none is set up here.") }
        return reportMailing
    }
}
