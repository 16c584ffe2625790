import Admin
import Core
import MailAuth
import PostaTestSupport
import Testing

/// `AdminConsole.dnsRecords`: the one computation behind `posta dns records`, `/admin/dns` and
/// the API, scoped like the other domain operations, on both databases.
@Suite("DNS records through the console")
struct DNSRecordsConsoleTests {
    static let policy = MTASTSPolicy(mode: .enforce, mx: [MTASTSMXPattern("mx.example.net")!], maxAge: 86_400)
    static let site = DNSRecordSite(
        hostname: "mx.example.net",
        services: [
            .init(protocol: .imaps, port: 993, tls: .implicit), .init(protocol: .submission, port: 587, tls: .starttls),
            .init(protocol: .http, port: 8443, tls: .implicit),
        ], dmarcReportAddress: "dmarc@example.org", mtaSTSPolicy: policy, tlsReportURIs: ["mailto:tls@example.org"])

    /// The fixture's console with the DKIM table and `site`; `site: nil`: a console without one.
    static func console(_ f: AdminFixture, site: DNSRecordSite? = Self.site) async throws -> AdminConsole {
        _ = try await f.db.migrate(DKIMKeySchema.migrations)
        let c = f.console
        return AdminConsole(
            database: f.db, directory: c.directory, store: c.store, queue: c.queue, authenticator: c.authenticator,
            settings: c.settings, logger: AdminFixture.logger, dnsSite: site)
    }

    @Test(
        "the records are DomainDNSRecords' over the site and the features' records, DKIM key included",
        arguments: TestDatabases.dialects)
    func sameRecords(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = try await Self.console(f)
            let key = try await c.generateDKIMKey(as: f.superadmin, domain: "example.org", algorithm: .ed25519SHA256)
            let set = try await c.dnsRecords(as: f.superadmin, domain: "Example.ORG.")
            // The same pure function, fed by hand with what the features publish.
            let published = try await SiteDNSRecords.records(
                for: "example.org",
                context: .init(
                    database: f.db, hostname: "mx.example.net", mtaSTSPolicy: Self.policy,
                    tlsReportURIs: ["mailto:tls@example.org"]))
            let expected = DomainDNSRecords.records(
                for: DomainDNSFacts(
                    domain: "example.org", hostname: "mx.example.net", services: Self.site.services,
                    dmarcReportAddress: "dmarc@example.org",
                    authenticationRecords: published.map { .init(name: $0.name, text: $0.text, comment: $0.comment) },
                    servesMTASTS: true))
            #expect(set.domain == "example.org" && set.hostname == "mx.example.net")
            #expect(set.records == expected)
            #expect(set.records.contains { $0.name == key.dnsName && $0.text == key.dnsRecord })
            #expect(set.records.contains { $0.name == "_mta-sts.example.org" && $0.text == "v=STSv1; id=\(Self.policy.id);" })
            #expect(set.records.contains { $0.name == "_smtp._tls.example.org" })
            #expect(
                set.records.contains {
                    $0.zoneFileLine.hasPrefix("_autodiscover._tcp.example.org. IN SRV 0 1 8443 mx.example.net.")
                })
            // The zone-file form: a header, then one line per record; no "no DKIM key" line.
            let lines = set.zoneFile.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(
                lines.first
                    == "; DNS records for example.org (posta dns records); mx.example.net itself needs A/AAAA records")
            #expect(Array(lines.dropFirst().dropLast()) == set.records.map(\.zoneFileLine))
            #expect(lines.last == "")
            #expect(set.hasDKIMKey)

            let other = try await c.dnsRecords(as: f.superadmin, domain: "other.org")
            #expect(!other.hasDKIMKey && other.zoneFile.contains("\n; no DKIM key yet: posta dkim keygen other.org\n"))
            #expect(!other.records.contains { $0.name.contains("._domainkey.") })
        }
    }

    @Test("scoped: a domain admin in their domains only, no helpdesk; names checked", arguments: TestDatabases.dialects)
    func scoping(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = try await Self.console(f)
            #expect(try await c.dnsRecords(as: f.domainAdmin, domain: "example.org").domain == "example.org")
            await #expect(throws: AccessDenied.self) { try await c.dnsRecords(as: f.domainAdmin, domain: "other.org") }
            await #expect(throws: AccessDenied.self) { try await c.dnsRecords(as: f.domainAdmin, domain: "new.example") }
            await #expect(throws: AccessDenied.self) { try await c.dnsRecords(as: f.helpdesk, domain: "example.org") }
            await #expect(throws: AccessDenied.self) {
                try await c.dnsRecords(as: try await f.userPrincipal("alice@example.org"), domain: "example.org")
            }
            // A superadmin (and the CLI) may ask before the domain is added.
            #expect(try await c.dnsRecords(as: f.cli, domain: "new.example").records.first?.name == "new.example")
            await #expect(throws: AdminError.self) { try await c.dnsRecords(as: f.superadmin, domain: "not a domain") }
            await #expect(throws: AdminError.self) { try await c.dnsRecords(as: f.superadmin, domain: "") }

            #expect(try await c.dnsRecordDomains(as: f.domainAdmin) == ["example.org"])
            #expect(try await c.dnsRecordDomains(as: f.superadmin) == ["example.org", "other.org"])
            await #expect(throws: AccessDenied.self) { try await c.dnsRecordDomains(as: f.helpdesk) }

            // Without a site there is nothing to compute from.
            let bare = try await Self.console(f, site: nil)
            await #expect(throws: AdminError.self) { try await bare.dnsRecords(as: f.superadmin, domain: "example.org") }
        }
    }
}
