import Admin
import Core
import Policy
import Testing

@Suite("DNS records of a domain")
struct DNSRecordsTests {
    static let services: [DomainDNSFacts.Service] = [
        .init(protocol: .smtp, port: 25, tls: .starttls), .init(protocol: .submission, port: 587, tls: .starttls),
        .init(protocol: .submissions, port: 465, tls: .implicit), .init(protocol: .imaps, port: 993, tls: .implicit),
        .init(protocol: .imap, port: 143, tls: .none), .init(protocol: .lmtp, port: 24, tls: .none),
        .init(protocol: .http, port: 8443, tls: .implicit), .init(protocol: .http, port: 80, tls: .none),
    ]

    static func lines(_ facts: DomainDNSFacts) -> [String] { DomainDNSRecords.records(for: facts).map(\.zoneFileLine) }

    @Test("a plain site: MX, SPF, DMARC, RFC 6186/8314 SRV (\".\" for what is not offered), autoconfig names")
    func plainSite() {
        let facts = DomainDNSFacts(domain: "Example.ORG", hostname: "mx1.example.net", services: Self.services)
        let records = DomainDNSRecords.records(for: facts)
        let plain = records.map { "\($0.name) \($0.type) \($0.presentation)" }
        #expect(
            plain == [
                "example.org MX 10 mx1.example.net.",
                "example.org TXT \"v=spf1 mx -all\"",
                "_dmarc.example.org TXT \"v=DMARC1; p=none\"",
                "_submissions._tcp.example.org SRV 0 1 465 mx1.example.net.",
                "_submission._tcp.example.org SRV 10 1 587 mx1.example.net.",
                "_imaps._tcp.example.org SRV 0 1 993 mx1.example.net.",
                // Plain-text IMAP on 143 is not announced: RFC 6186 §4's "not offered".
                "_imap._tcp.example.org SRV 0 0 0 .",
                "_pop3s._tcp.example.org SRV 0 0 0 .",
                "_pop3._tcp.example.org SRV 0 0 0 .",
                "autoconfig.example.org CNAME mx1.example.net.",
                "autodiscover.example.org CNAME mx1.example.net.",
                "_autodiscover._tcp.example.org SRV 0 1 8443 mx1.example.net.",
            ])
        #expect(
            records[0].zoneFileLine == "example.org. IN MX 10 mx1.example.net. ; mail for example.org goes to mx1.example.net")
    }

    @Test("no HTTP listener: no autoconfiguration names; HTTP without TLS: HTTPS assumed on 443 (a proxy)")
    func autoconfigNames() {
        let none = DomainDNSFacts(
            domain: "example.org", hostname: "mx.example.org", services: [.init(protocol: .smtp, port: 25, tls: .starttls)])
        #expect(!Self.lines(none).contains { $0.contains("autoconfig") || $0.contains("autodiscover") })
        let proxied = DomainDNSFacts(
            domain: "example.org", hostname: "mx.example.org", services: [.init(protocol: .http, port: 8080, tls: .none)])
        #expect(Self.lines(proxied).contains { $0.hasPrefix("_autodiscover._tcp.example.org. IN SRV 0 1 443 mx.example.org.") })
    }

    @Test("DKIM, MTA-STS and TLS-RPT records as the features give them; the mta-sts host; DMARC rua")
    func authentication() {
        let key = "v=DKIM1; k=rsa; p=" + String(repeating: "A", count: 392)  // a 2048-bit key's length
        let facts = DomainDNSFacts(
            domain: "example.org", hostname: "mx.example.org", services: [], dmarcReportAddress: "dmarc@example.org",
            authenticationRecords: [
                .init(name: "posta-2026-12._domainkey.example.org", text: key, comment: "DKIM rsa 2048-bit key, active"),
                .init(name: "_mta-sts.example.org", text: "v=STSv1; id=abc;"),
                .init(name: "_smtp._tls.example.org", text: "v=TLSRPTv1; rua=mailto:tls@example.org"),
            ], servesMTASTS: true)
        let records = DomainDNSRecords.records(for: facts)
        let dkim = records.first { $0.name.contains("_domainkey") }!
        #expect(dkim.text == key && dkim.type == "TXT")
        // RFC 1035 §3.3: one character-string is at most 255 octets.
        #expect(
            dkim.zoneFileLine
                == "posta-2026-12._domainkey.example.org. IN TXT ( \"\(key.prefix(255))\" \"\(key.dropFirst(255))\" ) ; DKIM rsa 2048-bit key, active"
        )
        #expect(records.map(\.name).contains("_mta-sts.example.org"))
        #expect(
            records.contains { $0.name == "mta-sts.example.org" && $0.presentation == "mx.example.org." && $0.type == "CNAME" })
        #expect(records.contains { $0.name == "_smtp._tls.example.org" && $0.text == "v=TLSRPTv1; rua=mailto:tls@example.org" })
        #expect(
            records.contains { $0.name == "_dmarc.example.org" && $0.text == "v=DMARC1; p=none; rua=mailto:dmarc@example.org" })
        // Reports to the domain itself need no authorization record.
        #expect(!records.contains { $0.name.contains("._report._dmarc.") })
        let noMTASTS = DomainDNSFacts(domain: "example.org", hostname: "mx.example.org", services: [])
        #expect(!DomainDNSRecords.records(for: noMTASTS).contains { $0.name.hasPrefix("mta-sts.") })
    }

    @Test("RFC 9990 §4: reports to another domain need its _report._dmarc record")
    func externalReports() {
        let facts = DomainDNSFacts(
            domain: "example.org", hostname: "mx.example.net", services: [], dmarcReportAddress: "rua@reports.example.net")
        let records = DomainDNSRecords.records(for: facts)
        #expect(records.contains { $0.name == "example.org._report._dmarc.reports.example.net" && $0.text == "v=DMARC1" })
        let sub = DomainDNSFacts(domain: "lists.example.org", hostname: "mx", services: [], dmarcReportAddress: "rua@example.org")
        #expect(!DomainDNSRecords.records(for: sub).contains { $0.name.contains("._report._dmarc.") })
    }

    @Test("zone-file syntax: 255-octet strings, quotes and backslashes escaped, other octets as \\DDD")
    func characterStrings() {
        #expect(DNSZoneRecord(name: "a.example", data: .txt("")).presentation == "\"\"")
        #expect(DNSZoneRecord(name: "a.example", data: .txt("say \"hi\" \\ bye")).presentation == #""say \"hi\" \\ bye""#)
        #expect(DNSZoneRecord(name: "a.example", data: .txt("é\u{1}")).presentation == #""\195\169\001""#)
        let long = String(repeating: "x", count: 255 * 2 + 1)
        let split = DNSZoneRecord(name: "a.example", data: .txt(long)).presentation
        #expect(split == "( \"\(String(repeating: "x", count: 255))\" \"\(String(repeating: "x", count: 255))\" \"x\" )")
        let exactly = String(repeating: "y", count: 255)
        #expect(DNSZoneRecord(name: "a.example", data: .txt(exactly)).presentation == "\"\(exactly)\"")
        // A comment never ends the line early.
        #expect(
            DNSZoneRecord(name: "a.example", data: .cname("b.example."), comment: "x\ny").zoneFileLine
                == "a.example. IN CNAME b.example. ; x y")
    }

    @Test("the facts of a configuration: host name, listeners, [dmarc] report_address")
    func factsFromConfig() {
        var config = PostaConfig(
            hostname: "MX.Example.org", dataDirectory: "/tmp", nodeID: "mx", database: DatabaseSettings(url: .sqlite(path: "x")),
            listeners: [
                ListenerSettings(
                    protocol: .imaps, host: "0.0.0.0", port: 10993, tls: .implicit, maxConnections: 1, maxConnectionsPerIP: 1,
                    idleTimeout: .seconds(60), line: 0)
            ])
        config.dmarc.reportAddress = "rua@example.org"
        let facts = DomainDNSFacts(domain: "Example.org", config: config)
        #expect(facts.domain == "example.org" && facts.hostname == "mx.example.org")
        #expect(facts.services == [.init(protocol: .imaps, port: 10993, tls: .implicit)])
        #expect(facts.dmarcReportAddress == "rua@example.org")
        #expect(
            Self.lines(facts).contains(
                "_imaps._tcp.example.org. IN SRV 0 1 10993 mx.example.org. ; imaps for mail clients (RFC 6186)"))
    }
}
