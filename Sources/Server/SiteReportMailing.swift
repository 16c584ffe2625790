import Admin
import Core
import Logging
import MailAuth
import Monitor
import Policy

/// The console's report mail, built from the site like `posta dmarc send-reports`,
/// `posta tlsrpt send` and `posta summary send` build it.
struct SiteReportMailing: ReportMailing {
    let site: Site
    let logger: Logger

    func queueDMARCReports(periodStart: Int64) async throws -> [QueuedReport] {
        try await DMARCReporting.make(site, logger: logger).sendReports(periodStart: periodStart, now: UnixTime.now())
            .map { sent in
                QueuedReport(
                    domain: sent.domain, recipients: sent.recipients,
                    problems: sent.refused + (sent.retryLater ? ["DNS failed: try again later"] : []))
            }
    }

    func queueTLSReports(periodStart: Int64) async throws -> [QueuedReport] {
        try await PostaServer.tlsReportSender(site, logger: logger).sendOnce(periodStart: periodStart).map {
            QueuedReport(domain: $0.domain, recipients: $0.recipients, problems: $0.problems)
        }
    }

    var dmarcReporter: DMARCReporter? { site.config.dmarcReporter }

    var tlsReporter: TLSRPTReporter? { site.config.tlsReporter }

    func queueSummary(day: Int64, again: Bool) async throws -> Bool {
        try await DailySummarySender(site: site, rollup: DailyRollup(database: site.database), logger: logger).send(
            day: day, now: UnixTime.now(), byHand: true, again: again)
    }
}
