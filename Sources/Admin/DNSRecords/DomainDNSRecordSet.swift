/// The DNS records one domain needs (`AdminConsole.dnsRecords`), as the CLI prints them, the
/// console shows them and the API returns them.
public struct DomainDNSRecordSet: Sendable, Hashable {
    /// The domain, lower-case, without a trailing dot.
    public var domain: String
    /// The site's host name, which needs its own A/AAAA records.
    public var hostname: String
    /// The records, in `DomainDNSRecords.records(for:)` order.
    public var records: [DNSZoneRecord]

    public init(domain: String, hostname: String, records: [DNSZoneRecord]) {
        self.domain = domain
        self.hostname = hostname
        self.records = records
    }

    /// Whether a DKIM key of the domain is published among the records.
    public var hasDKIMKey: Bool { records.contains { $0.name.hasSuffix("._domainkey.\(domain)") } }

    /// The records as a zone-file fragment (RFC 1035 §5.1): comment lines saying what else is
    /// needed, then one line per record; every line ends with a newline. The zone's `$TTL` and
    /// origin are the zone's own: names are absolute.
    public var zoneFile: String {
        var lines = ["; DNS records for \(domain) (posta dns records); \(hostname) itself needs A/AAAA records"]
        if !hasDKIMKey { lines.append("; no DKIM key yet: posta dkim keygen \(domain)") }
        lines += records.map(\.zoneFileLine)
        return lines.map { $0 + "\n" }.joined()
    }
}
