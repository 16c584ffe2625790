import Admin
import ArgumentParser
import Core
import Foundation
import MailAuth
import Server

/// `posta dns records DOMAIN`: every record the domain needs (`DomainDNSRecords`, from the
/// config and the mail-authentication features' `SiteDNSRecords`); this command only prints.
struct DNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "DNS records the site needs published.", subcommands: [Records.self])

    struct Records: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print every DNS record a domain needs (MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, SRV, autoconfig), as zone-file lines."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The domain.") var domain: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let domain: String
            do {
                domain = try DomainName.normalize(self.domain.hasSuffix(".") ? String(self.domain.dropLast()) : self.domain)
            } catch {
                throw ValidationError("not a domain name: \(self.domain)")
            }
            let facts = try await global.withSite { site in
                let policy = site.config.mtaSTS.servedPolicy(hostname: site.config.hostname)
                let authentication = try await SiteDNSRecords.records(
                    for: domain,
                    context: SiteDNSRecords.Context(
                        database: site.database, hostname: site.config.hostname, mtaSTSPolicy: policy,
                        tlsReportURIs: site.config.mtaSTS.reportURIs))
                return DomainDNSFacts(
                    domain: domain, config: site.config,
                    authenticationRecords: authentication.map { .init(name: $0.name, text: $0.text, comment: $0.comment) },
                    servesMTASTS: policy != nil)
            }
            let records = DomainDNSRecords.records(for: facts)
            if json { return try Output.json(records) }
            print("; DNS records for \(domain) (posta dns records); \(facts.hostname) itself needs A/AAAA records")
            if !facts.authenticationRecords.contains(where: { $0.name.contains("._domainkey.") }) {
                print("; no DKIM key yet: posta dkim keygen \(domain)")
            }
            for record in records { print(record.zoneFileLine) }
        }
    }
}
