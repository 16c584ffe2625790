import ArgumentParser
import Foundation
import Logging
import MailAuth
import Server

/// `posta tlsrpt`: the TLS reports (RFC 8460) Posta writes from its outbound TLS outcomes, and
/// `posta mta-sts` the cached policies of recipient domains (RFC 8461).
struct TLSRPTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsrpt", abstract: "SMTP TLS reports (RFC 8460) of outbound mail.",
        subcommands: [ReportJSON.self, Send.self])

    struct ReportJSON: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report-json",
            abstract: "Write the TLS report Posta would send a domain for one day, from its recorded TLS outcomes.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The recipient (policy) domain.") var domain: String
        @Option(help: "The reporting period: a UTC day, YYYY-MM-DD (default: yesterday).") var period: String?
        @Option(help: "The organization-name (default: the site's hostname).") var orgName: String?
        @Option(help: "The contact-info address (default: postmaster@<hostname>).") var contact: String?
        @Flag(help: "Write the gzip-compressed form (application/tlsrpt+gzip) to standard output.") var gzip = false

        func run() async throws {
            let day = CLIDate.day
            let start = try period.map(CLIDate.parse) ?? (Int64(Date().timeIntervalSince1970) / day - 1) * day
            let periodStart = TLSRPTSessionStore.periodStart(of: start)
            let config = try global.loadConfig()
            let reporter = TLSRPTReporter(
                organizationName: orgName ?? config.hostname, contactInfo: contact ?? "postmaster@\(config.hostname)",
                submitter: config.hostname)
            let report = try await global.withSite {
                try await TLSRPTSessionStore(database: $0.database).report(
                    domain: domain, periodStart: periodStart, reporter: reporter)
            }
            guard let report else {
                throw CLIError("no TLS sessions with \(domain) on \(Output.date(periodStart).prefix(10))")
            }
            FileHandle.standardOutput.write(Data(gzip ? try report.gzippedJSON() : try report.json()))
        }
    }
}

extension TLSRPTCommand {
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue the TLS reports of one day for the domains whose _smtp._tls record asks for them by mail.",
            discussion: "`posta serve` does this once a day when [mta_sts] send_tls_reports is true; a report is sent once.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The reporting period: a UTC day, YYYY-MM-DD (default: yesterday).") var period: String?

        func run() async throws {
            let day = CLIDate.day
            let start = try period.map(CLIDate.parse) ?? (Int64(Date().timeIntervalSince1970) / day - 1) * day
            let queued = try await global.withSite { site in
                try await PostaServer.tlsReportSender(site, logger: Logger(label: "posta.tlsrpt")).sendOnce(
                    periodStart: TLSRPTSessionStore.periodStart(of: start))
            }
            for address in queued { print("queued for \(address)") }
        }
    }
}

struct MTASTSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mta-sts", abstract: "MTA-STS policies (RFC 8461) of recipient domains.", subcommands: [Policies.self])

    struct Policies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the cached policies of recipient domains.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let policies = try await global.withSite { try await MTASTSPolicyStore(database: $0.database).all() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(policies), as: UTF8.self))
                return
            }
            for cached in policies {
                print(
                    "\(cached.domain) id=\(cached.id) mode=\(cached.policy.mode.rawValue) mx=\(cached.policy.mx.map(\.description).joined(separator: ",")) expires=\(Output.date(cached.expiresAt))"
                )
            }
        }
    }
}
