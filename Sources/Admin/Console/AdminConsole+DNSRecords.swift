import Core
import MailAuth

/// The DNS records a domain needs published (`posta dns records`, `/admin/dns`,
/// `GET /api/v1/domains/{domain}/dns-records`): one computation for the three front ends.
extension AdminConsole {
    /// Every record `domain` needs: the site's (`DNSRecordSite`) and its mail-authentication
    /// records (DKIM keys, MTA-STS, TLS-RPT: `SiteDNSRecords`), in `DomainDNSRecords` order.
    /// A superadmin may ask for any well-formed name (records can be published before the
    /// domain is added); a domain admin only for their domains; a helpdesk not at all.
    public func dnsRecords(as principal: Principal, domain: String) async throws -> DomainDNSRecordSet {
        let name = try Self.domainName(domain)
        try principal.require(.viewDNSRecords, in: name)
        guard let dnsSite else { throw AdminError.conflict("this console runs without a site: no DNS records") }
        let authentication = try await SiteDNSRecords.records(
            for: name,
            context: SiteDNSRecords.Context(
                database: database, hostname: dnsSite.hostname, mtaSTSPolicy: dnsSite.mtaSTSPolicy,
                tlsReportURIs: dnsSite.tlsReportURIs))
        let facts = DomainDNSFacts(
            domain: name, hostname: dnsSite.hostname, services: dnsSite.services,
            dmarcReportAddress: dnsSite.dmarcReportAddress,
            authenticationRecords: authentication.map { .init(name: $0.name, text: $0.text, comment: $0.comment) },
            servesMTASTS: dnsSite.mtaSTSPolicy != nil)
        return DomainDNSRecordSet(domain: facts.domain, hostname: facts.hostname, records: DomainDNSRecords.records(for: facts))
    }

    /// The local domains whose records the principal may see (the console's domain picker), by name.
    public func dnsRecordDomains(as principal: Principal) async throws -> [String] {
        try principal.require(.viewDNSRecords)
        let scope = principal.domainScope
        return try await directory.domains().map { $0.name.lowercased() }.filter { scope?.contains($0) ?? true }.sorted()
    }
}
