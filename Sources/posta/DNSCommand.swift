import ArgumentParser
import Foundation
import MailAuth
import Server

/// `posta dns records DOMAIN`: the records the site asks to publish (`SiteDNSRecords`; each
/// mail-authentication feature adds its provider there, not here).
struct DNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "DNS records the site needs published.", subcommands: [Records.self])

    struct Records: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the TXT records to publish for a domain (DKIM keys now), as zone-file lines.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The domain.") var domain: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let records = try await global.withSite { site in
                try await SiteDNSRecords.records(
                    for: domain,
                    context: SiteDNSRecords.Context(
                        database: site.database, hostname: site.config.hostname,
                        mtaSTSPolicy: site.config.mtaSTS.servedPolicy(hostname: site.config.hostname),
                        tlsReportURIs: site.config.mtaSTS.reportURIs))
            }
            if json { return try Output.json(records) }
            guard !records.isEmpty else {
                return print(
                    "; nothing to publish for \(domain.lowercased()) (no DKIM key: posta dkim keygen \(domain.lowercased()))")
            }
            for record in records { print(record.zoneFileLine) }
        }
    }
}
