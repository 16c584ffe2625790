import Core

/// Every DNS record a domain needs for mail at this site (`posta dns records DOMAIN`): where its
/// mail goes, who may send it, how it is signed and reported, and how mail clients find their
/// servers. Pure: the same facts give the same records.
public enum DomainDNSRecords {
    /// The records, in the order they are printed: MX, SPF, the mail-authentication records
    /// (DKIM, MTA-STS, TLS-RPT), DMARC, the `mta-sts` host, the RFC 6186/8314 SRV records, the
    /// autoconfiguration names.
    public static func records(for facts: DomainDNSFacts) -> [DNSZoneRecord] {
        let domain = facts.domain
        let host = facts.hostname
        var records: [DNSZoneRecord] = [
            // RFC 5321 §5.1: mail for the domain goes to the site's host.
            DNSZoneRecord(name: domain, data: .mx(preference: 10, exchange: host), comment: "mail for \(domain) goes to \(host)"),
            // RFC 7208 §5.4: the domain's MX hosts are its only senders.
            DNSZoneRecord(name: domain, data: .txt("v=spf1 mx -all"), comment: "SPF (RFC 7208): only the MX (\(host)) sends"),
        ]
        records += facts.authenticationRecords.map {
            DNSZoneRecord(name: $0.name, data: .txt($0.text), comment: $0.comment)
        }
        records += dmarc(facts)
        if facts.servesMTASTS {
            // RFC 8461 §3.3: the policy is fetched from https://mta-sts.<domain>/.well-known/mta-sts.txt.
            records.append(
                DNSZoneRecord(
                    name: "mta-sts.\(domain)", data: .cname(host),
                    comment: "MTA-STS policy host (RFC 8461 §3.3): needs a certificate for mta-sts.\(domain)"))
        }
        records += serviceRecords(facts)
        records += autoconfiguration(facts)
        return records
    }

    // MARK: DMARC

    /// RFC 9989 (DMARC) `_dmarc` record: policy none (monitoring) to begin with, aggregate reports
    /// to `[dmarc] report_address`. A report address in another domain (neither a parent nor a
    /// child) needs that domain's consent (RFC 9990 §4, the `<domain>._report._dmarc.<report domain>` record).
    static func dmarc(_ facts: DomainDNSFacts) -> [DNSZoneRecord] {
        var text = "v=DMARC1; p=none"
        var records: [DNSZoneRecord] = []
        if let address = facts.dmarcReportAddress, let at = address.lastIndex(of: "@") {
            text += "; rua=mailto:\(address)"
            let reportDomain = address[address.index(after: at)...].lowercased()
            let related =
                reportDomain == facts.domain || facts.domain.hasSuffix("." + reportDomain)
                || reportDomain.hasSuffix("." + facts.domain)
            if !related {
                records.append(
                    DNSZoneRecord(
                        name: "\(facts.domain)._report._dmarc.\(reportDomain)", data: .txt("v=DMARC1"),
                        comment: "in the zone of \(reportDomain): it accepts DMARC reports about \(facts.domain)"))
            }
        }
        return [
            DNSZoneRecord(
                name: "_dmarc.\(facts.domain)", data: .txt(text),
                comment: "DMARC: p=none to watch the reports first; then quarantine or reject")
        ] + records
    }

    // MARK: SRV (RFC 6186, RFC 8314 §5.1)

    /// One service name and the listener protocol that offers it.
    private static let services: [(label: String, protocol: ListenerProtocol, priority: Int)] = [
        // RFC 8314 §5.1: implicit TLS preferred (lower priority value) over STARTTLS; RFC 6186 §3.4:
        // one priority order across IMAP and POP3, IMAP first.
        ("_submissions._tcp", .submissions, 0), ("_submission._tcp", .submission, 10),
        ("_imaps._tcp", .imaps, 0), ("_imap._tcp", .imap, 10),
        ("_pop3s._tcp", .pop3s, 20), ("_pop3._tcp", .pop3, 30),
    ]

    /// One SRV record per listener offering a service with TLS; RFC 6186 §4: target "." for a
    /// service not offered, so clients do not guess. A plain-text listener is not announced.
    static func serviceRecords(_ facts: DomainDNSFacts) -> [DNSZoneRecord] {
        var records: [DNSZoneRecord] = []
        for service in services {
            let name = "\(service.label).\(facts.domain)"
            var ports: [Int] = []
            for listener in facts.services
            where listener.protocol == service.protocol && listener.tls != .none && !ports.contains(listener.port) {
                ports.append(listener.port)
            }
            if ports.isEmpty {
                records.append(
                    DNSZoneRecord(
                        name: name, data: .srv(priority: 0, weight: 0, port: 0, target: "."),
                        comment: "\(service.protocol.rawValue) not offered (RFC 6186 §4)"))
            }
            for port in ports {
                records.append(
                    DNSZoneRecord(
                        name: name, data: .srv(priority: service.priority, weight: 1, port: port, target: facts.hostname),
                        comment: "\(service.protocol.rawValue) for mail clients (RFC 6186)"))
            }
        }
        return records
    }

    // MARK: Autoconfiguration

    /// The names mail clients try (docs/autoconfig.md): Thunderbird's `autoconfig.<domain>`,
    /// Outlook's `autodiscover.<domain>` and `_autodiscover._tcp` SRV, when an HTTP listener serves
    /// them; HTTPS on the implicit-TLS HTTP listener's port, else 443 (a proxy in front).
    static func autoconfiguration(_ facts: DomainDNSFacts) -> [DNSZoneRecord] {
        let http = facts.services.filter { $0.protocol == .http }
        guard !http.isEmpty else { return [] }
        let httpsPort = http.first { $0.tls == .implicit }?.port ?? 443
        let host = facts.hostname
        return [
            DNSZoneRecord(
                name: "autoconfig.\(facts.domain)", data: .cname(host),
                comment: "Thunderbird autoconfig: needs a certificate for this name"),
            DNSZoneRecord(
                name: "autodiscover.\(facts.domain)", data: .cname(host),
                comment: "Outlook autodiscover: needs a certificate for this name"),
            DNSZoneRecord(
                name: "_autodiscover._tcp.\(facts.domain)", data: .srv(priority: 0, weight: 1, port: httpsPort, target: host),
                comment: "Outlook autodiscover over HTTPS"),
        ]
    }
}
