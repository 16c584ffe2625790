import Admin
import ArgumentParser

/// `posta dns records DOMAIN`: every record the domain needs, as the console and the API show
/// them (`AdminConsole.dnsRecords`); this command only prints.
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
            let set = try await global.withConsole { try await $0.dnsRecords(as: $1, domain: domain) }
            if json { return try Output.json(set.records) }
            print(set.zoneFile, terminator: "")
        }
    }
}
