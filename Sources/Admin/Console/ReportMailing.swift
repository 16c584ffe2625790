import MailAuth
import Policy

/// Report mail that only the server module can build and queue (it knows the site's DNS,
/// signing and queue set-up). `Site.adminConsole` injects it; nil where the console runs
/// without a site (tests), and the operations then answer `AdminError.conflict`.
public protocol ReportMailing: Sendable {
    /// Queues the DMARC aggregate reports (RFC 7489 §7.2) of the UTC day starting at
    /// `periodStart` for the domains that asked for them; one entry per domain.
    func queueDMARCReports(periodStart: Int64) async throws -> [QueuedReport]
    /// Queues the SMTP TLS reports (RFC 8460 §5) of that day; one entry per domain.
    func queueTLSReports(periodStart: Int64) async throws -> [QueuedReport]
    /// Queues the daily summary mail of the day starting at `day`; false when it was sent
    /// before and `again` is false.
    func queueSummary(day: Int64, again: Bool) async throws -> Bool
    /// Who the site says it is in the DMARC aggregate reports it writes (`PostaConfig.dmarcReporter`);
    /// the console's download of a report uses it. Nil (the default): no site, no download.
    var dmarcReporter: DMARCReporter? { get }
    /// Who the site says it is in the TLS reports it writes (`PostaConfig.tlsReporter`); nil (the
    /// default): no site, no download.
    var tlsReporter: TLSRPTReporter? { get }
}

extension ReportMailing {
    public var dmarcReporter: DMARCReporter? { nil }
    public var tlsReporter: TLSRPTReporter? { nil }
}

/// What queueing one domain's report did.
public struct QueuedReport: Sendable, Codable, Equatable {
    /// The policy domain the report is about.
    public let domain: String
    /// The addresses it was queued for.
    public let recipients: [String]
    /// Why some report addresses were not used (refused `rua` targets, DNS failures).
    public let problems: [String]

    public init(domain: String, recipients: [String], problems: [String]) {
        self.domain = domain
        self.recipients = recipients
        self.problems = problems
    }
}
