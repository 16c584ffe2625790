import Admin
import ArgumentParser
import Core
import Foundation
import Logging
import MailAuth
import Server

/// `posta tlsrpt`: the TLS reports (RFC 8460) Posta writes from its outbound TLS outcomes, and
/// `posta mta-sts` the cached policies of recipient domains (RFC 8461).
struct TLSRPTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsrpt", abstract: "SMTP TLS reports (RFC 8460) of outbound mail.",
        subcommands: [ReportJSON.self, Send.self, Import.self, Reports.self])

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
            let periodStart = try CLIDate.period(period)
            let config = try global.loadConfig()
            var reporter = config.tlsReporter
            if let orgName { reporter.organizationName = orgName }
            if let contact { reporter.contactInfo = contact }
            let report: TLSRPTReport
            do {
                report = try await global.withConsole {
                    try await $0.tlsReport(as: $1, domain: domain, periodStart: periodStart, reporter: reporter)
                }
            } catch AdminError.notFound {
                throw CLIError("no TLS sessions with \(domain) on \(UnixTime.dayText(periodStart))")
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
        @Flag(help: "Send a day that has not ended: what is recorded so far; the rest of that day is never reported.")
        var early = false

        func run() async throws {
            let start = try CLIDate.period(period)
            let sent = try await global.withConsole {
                try await $0.queueTLSReports(as: $1, periodStart: start, early: early)
            }
            for report in sent {
                for address in report.recipients { print("\(report.domain): queued for \(address)") }
                for problem in report.problems { print("\(report.domain): \(problem)") }
            }
        }
    }
}

extension TLSRPTCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store TLS reports other senders sent about the site's domains: .json or .json.gz files.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The files.") var files: [String] = []
        @Flag(help: "Read the new messages of [mta_sts] tls_report_address's INBOX instead, as the server does each hour.")
        var reportAddress = false

        func run() async throws {
            if reportAddress {
                let read = try await global.withSite { site in
                    guard site.config.mtaSTS.tlsReportAddress != nil else {
                        throw CLIError("[mta_sts] tls_report_address is not set")
                    }
                    var logger = Logger(label: "posta.tlsrpt")
                    logger.logLevel = .warning
                    return try await PostaServer.tlsReportSender(site, logger: logger).importReceivedReports()
                }
                for (report, new) in read {
                    print("\(report.organizationName) \(report.reportID): \(new ? "stored" : "already stored")")
                }
                return
            }
            guard !files.isEmpty else { throw CLIError("name the files to import, or --report-address") }
            let payloads = try files.map { ($0, try ImportFile.read($0, limit: AdminConsole.maxTLSImportBytes)) }
            let stored = try await global.withConsole { console, principal in
                var stored: [(String, Bool)] = []
                for (file, bytes) in payloads {
                    do {
                        stored.append((file, try await console.importTLSReport(as: principal, payload: bytes).stored))
                    } catch let error as AdminError {
                        throw CLIError("\(file): \(error)")
                    }
                }
                return stored
            }
            for (file, new) in stored { print("\(file): \(new ? "stored" : "already stored")") }
        }
    }

    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the TLS reports received for the site's domains: sessions per policy domain and sender.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON (the reports as received).") var json = false

        func run() async throws {
            let received = try await global.withConsole { try await $0.receivedTLSReports(as: $1, limit: .max) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(received.map(\.report)), as: UTF8.self))
                return
            }
            for item in received {
                let report = item.report
                for policy in report.policies {
                    let failures = (policy.failureDetails ?? []).map { "\($0.resultType.rawValue)=\($0.failedSessionCount)" }
                    print(
                        "\(report.dateRange.start.prefix(10)) \(policy.policy.policyDomain) from \(report.organizationName): policy \(policy.policy.policyType.rawValue), \(policy.summary.totalSuccessfulSessionCount) ok, \(policy.summary.totalFailureSessionCount) failed"
                            + (failures.isEmpty ? "" : " (" + failures.joined(separator: ", ") + ")"))
                }
            }
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
            let policies = try await global.withConsole { try await $0.mtaSTSPolicies(as: $1) }
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
