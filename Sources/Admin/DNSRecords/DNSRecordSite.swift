import Core
import MailAuth

/// What the site publishes for every one of its domains: its host name and listeners, where
/// DMARC reports go, the MTA-STS policy it serves and where TLS reports go. Built by the server
/// module from the configuration (`Site.adminConsole`) and handed to `AdminConsole`, which adds
/// each domain's own records (DKIM keys) when asked (`dnsRecords(as:domain:)`).
public struct DNSRecordSite: Sendable {
    /// The site's host name: the MX, the SRV targets, the autoconfiguration host.
    public var hostname: String
    /// The site's listeners.
    public var services: [DomainDNSFacts.Service]
    /// `[dmarc] report_address`; nil: the DMARC record has no `rua`.
    public var dmarcReportAddress: String?
    /// The MTA-STS policy the site serves (RFC 8461 §3.2); nil: none.
    public var mtaSTSPolicy: MTASTSPolicy?
    /// The `rua` URIs of the `_smtp._tls` record (RFC 8460 §3); empty: no record.
    public var tlsReportURIs: [String]

    public init(
        hostname: String, services: [DomainDNSFacts.Service], dmarcReportAddress: String? = nil,
        mtaSTSPolicy: MTASTSPolicy? = nil, tlsReportURIs: [String] = []
    ) {
        self.hostname = hostname
        self.services = services
        self.dmarcReportAddress = dmarcReportAddress
        self.mtaSTSPolicy = mtaSTSPolicy
        self.tlsReportURIs = tlsReportURIs
    }

    /// The site of `config`: host name, listeners, `[dmarc] report_address`; the MTA-STS parts are
    /// the server module's to give (its `[mta_sts]` section).
    public init(config: PostaConfig, mtaSTSPolicy: MTASTSPolicy?, tlsReportURIs: [String]) {
        self.init(
            hostname: config.hostname,
            services: config.listeners.map { .init(protocol: $0.protocol, port: $0.port, tls: $0.tls) },
            dmarcReportAddress: config.dmarc.reportAddress, mtaSTSPolicy: mtaSTSPolicy, tlsReportURIs: tlsReportURIs)
    }
}
