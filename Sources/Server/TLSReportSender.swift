import Core
import DNS
import Directory
import Logging
import MailAuth
import Queue
import ServiceLifecycle

/// Keeps the TLS-RPT counts to `retention` (30 days) and, with `send` (`[mta_sts]
/// send_tls_reports`), sends the day's TLS reports (RFC 8460 §5.3): once an hour it
/// looks at the last finished UTC day, and for each recipient domain with recorded sessions whose
/// `_smtp._tls` record names `mailto:` destinations, queues one report message per address, DKIM-signed (null
/// reverse path, so that a failing report address cannot bounce back). A report is claimed in
/// `tlsrpt_sent` before it is queued: a crash between the two loses that report rather than
/// sending it twice. `https:` destinations are not supported and are skipped.
public struct TLSReportSender: Service {
    let sessions: TLSRPTSessionStore
    let dns: any MTASTSDNS
    let queue: MailQueue
    /// Resolves a local destination (a site that reports to itself).
    let directory: Directory
    /// Signs the reports (RFC 8460 §5.3: DKIM, by the domain of the From address).
    let signer: (any MessageSigner)?
    let reporter: TLSRPTReporter
    /// Where other senders' reports about the site's domains arrive; nil: read by hand only.
    let receivedReports: ReportMailbox?
    let interval: Duration
    /// Mail the reports; false: only purge.
    let send: Bool
    /// Seconds the counts of a day are kept.
    let retention: Int64
    let logger: Logger

    public init(
        sessions: TLSRPTSessionStore, dns: any MTASTSDNS, queue: MailQueue, directory: Directory,
        signer: (any MessageSigner)?, reporter: TLSRPTReporter, receivedReports: ReportMailbox? = nil,
        interval: Duration = .seconds(3600), send: Bool = true,
        retention: Int64 = 30 * 86_400, logger: Logger
    ) {
        self.send = send
        self.retention = retention
        self.sessions = sessions
        self.dns = dns
        self.queue = queue
        self.directory = directory
        self.signer = signer
        self.receivedReports = receivedReports
        self.reporter = reporter
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) {
            let now = UnixTime.now()
            let today = TLSRPTSessionStore.periodStart(of: now)
            if send { _ = await sendOnce(periodStart: today - TLSRPTSessionStore.periodLength) }
            do {
                if receivedReports != nil { _ = try await importReceivedReports() }
                try await sessions.purge(before: now - retention)
            } catch {
                logger.warning("TLS report counts not purged", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// What sending one policy domain's report did.
    public struct Sent: Sendable, Hashable {
        /// The policy domain the report is about.
        public var domain: String
        /// The addresses the report was queued for.
        public var recipients: [String]
        /// The `mailto:` addresses of its `_smtp._tls` record not used, with the reason.
        public var problems: [String]
    }

    /// Sends the reports of the period starting at `periodStart` not sent yet; returns one entry
    /// per policy domain whose report was claimed (RFC 8460 §5.3: at most 5 `mailto:` addresses).
    @discardableResult
    public func sendOnce(periodStart: Int64, now: Int64 = UnixTime.now()) async -> [Sent] {
        var sent: [Sent] = []
        do {
            for domain in try await sessions.domains(periodStart: periodStart) {
                guard case .found(let texts) = try? await dns.txt(TLSRPTRecord.name(for: domain)),
                    let record = TLSRPTRecord.select(texts), !record.mailtoAddresses.isEmpty,
                    let report = try await sessions.report(domain: domain, periodStart: periodStart, reporter: reporter),
                    try await sessions.claim(domain: domain, periodStart: periodStart, at: now)
                else { continue }
                var outcome = Sent(domain: domain, recipients: [], problems: [])
                for address in record.mailtoAddresses.prefix(5) {
                    let mail = TLSRPTReportMail(
                        report: report, domain: domain, submitter: reporter.submitter, from: reporter.contactInfo, to: address,
                        date: now, begin: periodStart, end: periodStart + TLSRPTSessionStore.periodLength - 1)
                    guard let recipient = try? MailAddress(parsing: address) else {
                        outcome.problems.append("not to \(address): not a mail address")
                        continue
                    }
                    guard
                        case .queued(let id) = try await queue.queueGenerated(
                            try mail.render(), reversePath: nil, to: recipient, directory: directory, signer: signer,
                            hostname: reporter.submitter, logger: logger)
                    else {
                        outcome.problems.append("not to \(address): no such local address")
                        continue
                    }
                    logger.info("TLS report queued", metadata: ["domain": "\(domain)", "to": "\(address)", "id": "\(id)"])
                    outcome.recipients.append(address)
                }
                sent.append(outcome)
            }
        } catch {
            logger.warning("TLS reports not sent", metadata: ["error": "\(String(reflecting: error))"])
        }
        return sent
    }

    /// Reads the new messages of the TLS report address for reports (RFC 8460 §5.3) and stores
    /// them; returns each report read and whether it was new.
    public func importReceivedReports() async throws -> [(report: TLSRPTReport, new: Bool)] {
        guard let receivedReports else { return [] }
        let store = TLSRPTReceivedStore(database: sessions.database)
        var read: [(report: TLSRPTReport, new: Bool)] = []
        try await receivedReports.readNewMessages { bytes, arrival in
            do {
                for report in try TLSRPTReport.decode(mail: bytes) {
                    read.append((report, try await store.store(report, receivedAt: arrival)))
                }
            } catch let error as TLSRPTReportError {
                logger.info("no TLS report in message", metadata: ["reason": "\(error)"])
            }
        }
        for (report, new) in read where new {
            logger.info("TLS report imported", metadata: ["from": "\(report.organizationName)", "id": "\(report.reportID)"])
        }
        return read
    }
}
