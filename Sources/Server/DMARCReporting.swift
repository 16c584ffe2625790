import Core
import DNS
import Foundation
import Logging
import MailAuth
import Policy
import Queue
import ServiceLifecycle

/// DMARC aggregate reports, both ways (RFC 9990; `[dmarc]`, docs/dmarc.md). Every `interval`
/// (an hour):
/// - with `send_reports`, the report of each finished period (yesterday, and the day before in
///   case a run was missed) goes to every domain whose record asked for one, to the `mailto:`
///   URIs that pass the external-destination check (§4), from `report_from`, DKIM-signed by its
///   domain's keys. `dmarc_report_sent` makes each report go once, whichever node sends it.
/// - with `report_address`, new messages in that account's INBOX are read for reports about the
///   site's own domains (XML, gzip, zip; `posta dmarc reports` shows them). They stay in the
///   mailbox.
/// - results and reports older than `retention` are deleted.
public struct DMARCReporting: Service {
    let site: Site
    let dns: any DMARCDNS
    let signer: (any MessageSigner)?
    let interval: Duration
    let logger: Logger

    var settings: DMARCSettings { site.config.dmarc }

    public init(site: Site, dns: any DMARCDNS, signer: (any MessageSigner)?, interval: Duration = .seconds(3600), logger: Logger)
    {
        self.site = site
        self.dns = dns
        self.signer = signer
        self.interval = interval
        self.logger = logger
    }

    /// A reporting service for the site through its resolver and DKIM keys.
    public static func make(_ site: Site, logger: Logger) throws -> DMARCReporting {
        DMARCReporting(
            site: site, dns: DNSResolver(configuration: try site.config.resolverConfiguration(), logger: logger),
            signer: DKIMMessageSigner(keys: DKIMKeyStore(database: site.database)), logger: logger)
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await runOnce(now: UnixTime.now()) }
    }

    /// One round as of `now`.
    public func runOnce(now: Int64) async {
        do {
            if settings.sendReports {
                let today = DMARCEvaluationStore.periodStart(of: now)
                for period in [today - 2 * DMARCEvaluationStore.periodLength, today - DMARCEvaluationStore.periodLength] {
                    _ = try await sendReports(periodStart: period, now: now)
                }
            }
            if settings.reportAddress != nil { _ = try await importReceivedReports() }
            let before = now - settings.retention.seconds
            try await DMARCEvaluationStore(database: site.database).purge(before: before)
            try await DMARCReportStore(database: site.database).purge(before: before)
            try await DMARCReportLedger(database: site.database).purge(before: before)
        } catch {
            logger.warning("DMARC reporting failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Who the site says it is in its reports.
    var reporter: DMARCReporter { site.config.dmarcReporter }

    /// What happened to one domain's report.
    public struct Sent: Sendable, Hashable {
        public var domain: String
        /// Queued for these addresses.
        public var recipients: [String]
        /// URIs not used, with the reason.
        public var refused: [String]
        /// Nothing sent because of a DNS failure: a later round tries again.
        public var retryLater: Bool
    }

    /// Sends the reports of the period starting at `periodStart` that no node has sent yet.
    public func sendReports(periodStart: Int64, now: Int64) async throws -> [Sent] {
        let evaluations = DMARCEvaluationStore(database: site.database)
        let ledger = DMARCReportLedger(database: site.database)
        var sent: [Sent] = []
        for (domain, uriTexts) in try await evaluations.domains(periodStart: periodStart) where !uriTexts.isEmpty {
            guard try await ledger.claim(domain: domain, periodStart: periodStart, at: now) else { continue }
            do {
                let outcome = try await send(
                    domain: domain, uris: uriTexts.compactMap(DMARCReportURI.init), periodStart: periodStart)
                if outcome.retryLater {
                    try await ledger.release(domain: domain, periodStart: periodStart)
                } else {
                    let text = (outcome.recipients.map { "sent to \($0)" } + outcome.refused).joined(separator: "; ")
                    try await ledger.finish(
                        domain: domain, periodStart: periodStart, outcome: text.isEmpty ? "nothing to send" : text)
                }
                sent.append(outcome)
            } catch {
                try? await ledger.release(domain: domain, periodStart: periodStart)
                throw error
            }
        }
        return sent
    }

    private func send(domain: String, uris: [DMARCReportURI], periodStart: Int64) async throws -> Sent {
        var outcome = Sent(domain: domain, recipients: [], refused: [], retryLater: false)
        var accepted: [String] = []
        var temporary = false
        for check in await DMARCReportDestinations.verify(uris, policyDomain: domain, dns: dns) {
            switch check {
            case .accepted(let uri):
                if let mailbox = uri.mailbox, !accepted.contains(mailbox) { accepted.append(mailbox) }
            case .refused(let uri, let reason):
                outcome.refused.append("not to \(uri): \(reason)")
            case .temporaryFailure(let uri, let reason):
                temporary = true
                outcome.refused.append("not to \(uri) (DNS): \(reason)")
            }
        }
        if accepted.isEmpty && temporary {
            outcome.retryLater = true
            return outcome
        }
        let reporter = reporter
        guard !accepted.isEmpty,
            let report = try await DMARCEvaluationStore(database: site.database).aggregateReport(
                domain: domain, periodStart: periodStart, reporter: reporter)
        else { return outcome }
        let from = try MailAddress(parsing: reporter.email)
        for mailbox in accepted {
            guard let to = try? MailAddress(parsing: mailbox) else {
                outcome.refused.append("not to \(mailbox): not a mail address")
                continue
            }
            let mail = DMARCReportMail(
                report: report,
                filename: reporter.filename(policyDomain: report.policyPublished.domain, periodStart: periodStart, gzip: true),
                from: reporter.email, to: mailbox, date: TraceHeaders.rfc5322Date(Date()), submitter: reporter.domain)
            switch try await site.queue.queueGenerated(
                try mail.render(), reversePath: from, to: to, directory: site.directory, signer: signer,
                hostname: site.config.hostname, logger: logger)
            {
            case .queued(let id):
                outcome.recipients.append(mailbox)
                logger.info("DMARC report queued", metadata: ["domain": "\(domain)", "to": "\(mailbox)", "id": "\(id)"])
            case .unknownRecipient:
                outcome.refused.append("not to \(mailbox): no such local address")
            }
        }
        return outcome
    }

    /// Reads new messages of the report address's INBOX for aggregate reports; returns the reports
    /// stored (duplicates included, flagged).
    public func importReceivedReports() async throws -> [DMARCImportedReport] {
        guard let address = settings.reportAddress else { return [] }
        let store = DMARCReportStore(database: site.database)
        var imported: [DMARCImportedReport] = []
        try await ReportMailbox(site: site, address: address, kind: "dmarc", logger: logger).readNewMessages { bytes, arrival in
            do {
                imported += try await store.importReports(from: bytes, receivedAt: arrival)
            } catch let error as DMARCReportError {
                // Not every message at a report address is a report; the rest stay for people to read.
                logger.info("no DMARC report in message", metadata: ["reason": "\(error)"])
            }
        }
        for report in imported where !report.duplicate {
            logger.info(
                "DMARC report imported",
                metadata: ["from": "\(report.orgName)", "domain": "\(report.policyDomain)", "messages": "\(report.messages)"])
        }
        return imported
    }
}
