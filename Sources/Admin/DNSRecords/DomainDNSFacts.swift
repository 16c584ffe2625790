import Core
import Policy

/// What decides the DNS records of one domain: the site's host name and listeners, and what
/// the mail-authentication features ask to publish. Gathered by the caller (the CLI, later the
/// console and the API), so that `DomainDNSRecords.records(for:)` stays a pure function.
public struct DomainDNSFacts: Sendable, Equatable {
    /// A listener mail clients or servers use: its protocol, port and TLS mode.
    public struct Service: Sendable, Hashable {
        public var `protocol`: ListenerProtocol
        public var port: Int
        public var tls: TLSMode

        public init(protocol: ListenerProtocol, port: Int, tls: TLSMode) {
            self.protocol = `protocol`
            self.port = port
            self.tls = tls
        }
    }

    /// A TXT record a mail-authentication feature asks for (DKIM keys, MTA-STS, TLS-RPT: MailAuth's
    /// `SiteDNSRecords`).
    public struct TextRecord: Sendable, Hashable {
        public var name: String
        public var text: String
        public var comment: String?

        public init(name: String, text: String, comment: String? = nil) {
            self.name = name
            self.text = text
            self.comment = comment
        }
    }

    /// The domain, lower-case, without a trailing dot.
    public var domain: String
    /// The site's host name: the MX, the SRV targets, the autoconfiguration host.
    public var hostname: String
    /// The site's listeners.
    public var services: [Service]
    /// `[dmarc] report_address`: the `rua` of the domain's DMARC record; nil: no `rua`.
    public var dmarcReportAddress: String?
    /// The domain's mail-authentication TXT records, in order.
    public var authenticationRecords: [TextRecord]
    /// Whether the site serves an MTA-STS policy (then `mta-sts.<domain>` must reach it).
    public var servesMTASTS: Bool

    public init(
        domain: String, hostname: String, services: [Service], dmarcReportAddress: String? = nil,
        authenticationRecords: [TextRecord] = [], servesMTASTS: Bool = false
    ) {
        self.domain = domain.lowercased()
        self.hostname = hostname.lowercased()
        self.services = services
        self.dmarcReportAddress = dmarcReportAddress
        self.authenticationRecords = authenticationRecords
        self.servesMTASTS = servesMTASTS
    }

    /// The facts `config` holds for `domain`: host name, listeners, `[dmarc] report_address`.
    public init(domain: String, config: PostaConfig, authenticationRecords: [TextRecord] = [], servesMTASTS: Bool = false) {
        self.init(
            domain: domain, hostname: config.hostname,
            services: config.listeners.map { Service(protocol: $0.protocol, port: $0.port, tls: $0.tls) },
            dmarcReportAddress: config.dmarc.reportAddress, authenticationRecords: authenticationRecords,
            servesMTASTS: servesMTASTS)
    }
}
