import Core
import Foundation
import MailAuth
import Policy

/// A report as Posta would write it, ready to download or print.
public struct WrittenReport: Sendable, Hashable {
    /// The file name the report would carry as an attachment (RFC 9990 §3.5.2, RFC 8460 §5.3).
    public var filename: String
    /// `application/xml` (DMARC, RFC 9990 §3) or `application/tlsrpt+json` (RFC 8460 §6.4.1).
    public var contentType: String
    public var bytes: [UInt8]
}

/// DMARC aggregate reports (RFC 9990) in the console and the API, as `posta dmarc reports` and
/// `posta dmarc report-xml` show them. Received reports are about the site's own domains: a
/// domain admin sees those of their domains (`viewReports` in the domain); naming another domain
/// is refused. A report Posta writes is about a domain whose mail the site received; a domain
/// admin may read the one about their own domains, a superadmin any.
extension AdminConsole {
    /// Most rows a report listing answers (sources, reports): the newest first.
    public static let reportListLimit = 500

    /// Per sending source of the site's domains: messages, aligned DKIM/SPF and DMARC passes and
    /// fails, over the received reports whose period ends on or after `since`.
    public func dmarcSources(
        as principal: Principal, domain: String? = nil, since: Int64? = nil, limit: Int = reportListLimit
    ) async throws -> [DMARCSourceSummary] {
        let domain = try reportDomain(principal, domain)
        let sources = try await DMARCReportStore(database: database).sources(
            domain: domain, domains: domain == nil ? principal.domainScope : nil, since: since, limit: limit)
        return sources.filter { principal.mayViewReports(about: $0.domain) }
    }

    /// The received aggregate reports, newest period first.
    public func dmarcReports(
        as principal: Principal, domain: String? = nil, since: Int64? = nil, limit: Int = reportListLimit
    ) async throws -> [DMARCImportedReport] {
        let domain = try reportDomain(principal, domain)
        let reports = try await DMARCReportStore(database: database).reports(
            domain: domain, domains: domain == nil ? principal.domainScope : nil, since: since, limit: limit)
        return reports.filter { principal.mayViewReports(about: $0.policyDomain) }
    }

    /// The aggregate report Posta would send `domain` for the UTC day holding `periodStart`, from
    /// its stored DMARC results (`posta dmarc report-xml`, the hourly sender); `reporter` replaces
    /// the site's identity (the CLI's `--org-name`, `--email`). Not found when nothing is stored.
    public func dmarcAggregateReport(
        as principal: Principal, domain: String, periodStart: Int64, reporter: DMARCReporter? = nil
    ) async throws -> DMARCFeedback {
        let domain = try reportDomain(principal, domain) ?? ""
        guard let reporter = reporter ?? reportMailing?.dmarcReporter else {
            throw AdminError.conflict("Reports are written by a site: no report identity here.")
        }
        let day = UnixTime.dayStart(of: periodStart)
        guard
            let report = try await DMARCEvaluationStore(database: database).aggregateReport(
                domain: domain, periodStart: day, reporter: reporter)
        else { throw AdminError.notFound("DMARC result for \(domain) on \(UnixTime.dayText(day))") }
        return report
    }

    /// `dmarcAggregateReport` as the XML document a report mail would carry uncompressed.
    public func dmarcReportDocument(as principal: Principal, domain: String, periodStart: Int64) async throws
        -> WrittenReport
    {
        let report = try await dmarcAggregateReport(as: principal, domain: domain, periodStart: periodStart)
        let name = reportMailing?.dmarcReporter?.filename(
            policyDomain: report.policyPublished.domain, periodStart: UnixTime.dayStart(of: periodStart), gzip: false)
        return WrittenReport(
            filename: name?.description ?? "\(report.policyPublished.domain).xml", contentType: "application/xml",
            bytes: try report.xml())
    }

    /// The domain a report request names, normalised, after the permission check: nil (every
    /// domain the principal may see) needs `viewReports` at all, a domain needs it there.
    func reportDomain(_ principal: Principal, _ domain: String?) throws -> String? {
        let name = try domain.map { text throws(AdminError) in
            let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw .invalid("Name the domain.") }
            return try Self.domainName(text)
        }
        try principal.require(.viewReports, in: name)
        return name
    }
}

extension Principal {
    /// Whether reports about `domain` (a policy domain, lower case) are the principal's to read.
    func mayViewReports(about domain: String) -> Bool {
        may(.viewReports, in: domain.lowercased())
    }
}
