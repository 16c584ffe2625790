import Core
import MailAuth

/// SMTP TLS reports (RFC 8460) and the MTA-STS policy cache (RFC 8461) in the console and the
/// API, as `posta tlsrpt reports`, `posta tlsrpt report-json` and `posta mta-sts policies` show
/// them. Received TLS reports are about the site's own domains: a domain admin sees the policies
/// of their domains only. The TLS report Posta writes is about a recipient domain; a domain
/// admin may read the one about their own domains. The MTA-STS cache holds the policies of
/// recipient domains anywhere, not the site's: it is site-wide (superadmin).
extension AdminConsole {
    /// The TLS reports other senders sent about the site's domains, newest period first; each
    /// keeps only the policies about domains the principal may see (and about `domain` when given).
    /// Most received TLS reports one listing reads (newest first) to fill its rows.
    public static let maxTLSReportScan = 2_000

    public func receivedTLSReports(as principal: Principal, domain: String? = nil, limit: Int = reportListLimit)
        async throws -> [TLSRPTReceivedReport]
    {
        let domain = try reportDomain(principal, domain)
        let everything = principal.domainScope == nil && domain == nil
        var shown: [TLSRPTReceivedReport] = []
        // Anyone can mail reports in: the newest `maxTLSReportScan` are read, never the whole table.
        for var received in try await TLSRPTReceivedStore(database: database).reports(limit: Self.maxTLSReportScan) {
            guard shown.count < limit else { break }
            if !everything {
                received.report.policies = received.report.policies.filter {
                    let about = $0.policy.policyDomain.lowercased()
                    return (domain == nil || about == domain) && principal.mayViewReports(about: about)
                }
                if received.report.policies.isEmpty { continue }
            }
            shown.append(received)
        }
        return shown
    }

    /// The TLS report Posta would send `domain` for the UTC day holding `periodStart`, from its
    /// recorded outbound TLS sessions (`posta tlsrpt report-json`, the daily sender); `reporter`
    /// replaces the site's identity. Not found when no session with the domain is recorded.
    public func tlsReport(as principal: Principal, domain: String, periodStart: Int64, reporter: TLSRPTReporter? = nil)
        async throws -> TLSRPTReport
    {
        let domain = try reportDomain(principal, domain) ?? ""
        guard let reporter = reporter ?? reportMailing?.tlsReporter else {
            throw AdminError.conflict("Reports are written by a site: no report identity here.")
        }
        let day = UnixTime.dayStart(of: periodStart)
        guard
            let report = try await TLSRPTSessionStore(database: database).report(
                domain: domain, periodStart: day, reporter: reporter)
        else { throw AdminError.notFound("TLS session with \(domain) on \(UnixTime.dayText(day))") }
        return report
    }

    /// `tlsReport` as the JSON document a report mail would carry uncompressed (RFC 8460 §5.3).
    public func tlsReportDocument(as principal: Principal, domain: String, periodStart: Int64) async throws
        -> WrittenReport
    {
        let report = try await tlsReport(as: principal, domain: domain, periodStart: periodStart)
        let day = UnixTime.dayStart(of: periodStart)
        let policyDomain = try reportDomain(principal, domain) ?? domain
        let name = TLSRPTReport.filename(
            submitter: reportMailing?.tlsReporter?.submitter ?? report.organizationName, policyDomain: policyDomain,
            begin: day, end: day + TLSRPTSessionStore.periodLength - 1, gzip: false)
        return WrittenReport(filename: name, contentType: "application/tlsrpt+json", bytes: try report.json())
    }

    /// The cached MTA-STS policies of recipient domains, by domain. Site-wide: they are other
    /// sites' policies, not the principal's domains.
    public func mtaSTSPolicies(as principal: Principal) async throws -> [MTASTSCachedPolicy] {
        try principal.requireSiteWide(.viewReports)
        return try await MTASTSPolicyStore(database: database).all()
    }
}
