import Admin
import ArgumentParser
import Core
import DNS
import Foundation
import Logging
import MailAuth
import Policy
import Queue
import Server

struct DMARCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmarc", abstract: "DMARC: check a message, aggregate reports received (per source, imports) and written.",
        subcommands: [Check.self, Reports.self, Import.self, ReportXML.self, SendReports.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate DMARC for a message described on the command line, through the site's DNS servers.",
            discussion: """
                The SPF and DKIM results are given, not checked: DMARC takes them as input. With --record the
                result is counted for the aggregate reports, as if the message had been received.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("from"), help: "A domain of the From: field (repeat for several).") var fromDomains: [String]
        @Option(help: "The MAIL FROM domain SPF checked.") var mailFrom: String?
        @Option(help: "The SPF result for --mail-from (pass, fail, softfail, neutral, none, temperror, permerror).")
        var spf: String?
        @Option(help: "A checked DKIM signature as DOMAIN:SELECTOR:RESULT (repeat for several).") var dkim: [String] = []
        @Flag(help: "A trusted ARC sealer vouches for the message.") var arcTrusted = false
        @Option(help: "The sending IP address (for --record).") var ip: String = "192.0.2.1"
        @Flag(help: "Count the result for the aggregate reports.") var record = false
        @Option(help: "When the message arrived, for --record: YYYY-MM-DD or Unix time (default: now).") var at: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var spfInput: DMARCSPFInput?
            if let mailFrom {
                guard let result = SPFResult(rawValue: (spf ?? "pass").lowercased()) else {
                    throw CLIError("unknown SPF result '\(spf ?? "")'")
                }
                spfInput = DMARCSPFInput(domain: mailFrom, result: result)
            }
            let signatures = try dkim.map { text -> DMARCDKIMInput in
                let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3, let result = DMARCDKIMResult(rawValue: parts[2].lowercased()) else {
                    throw CLIError("--dkim takes DOMAIN:SELECTOR:RESULT, not '\(text)'")
                }
                return DMARCDKIMInput(domain: parts[0], selector: parts[1], result: result)
            }
            let message = DMARCMessage(fromDomains: fromDomains, spf: spfInput, dkim: signatures, arcTrusted: arcTrusted)
            let time = try at.map(CLIDate.parse) ?? Int64(Date().timeIntervalSince1970)
            let config = try global.loadConfig()
            let resolver = DNSResolver(configuration: try config.resolverConfiguration(), logger: Logger(label: "posta.dmarc"))
            let evaluation = await DMARCChecker(dns: resolver).evaluate(message)
            if record {
                _ = try await global.withSite {
                    try await DMARCEvaluationStore(database: $0.database).record(
                        evaluation, message: message, sourceIP: ip, envelopeFrom: mailFrom, at: time)
                }
            }
            if json { return try Output.json(DMARCCheckOutput(evaluation)) }
            print(evaluation.authenticationResultsClause)
            for reason in evaluation.reasons { print("  " + reason) }
        }
    }

    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show received aggregate reports per sending source: messages, aligned DKIM/SPF pass and fail, disposition."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this policy domain.") var domain: String?
        @Option(help: "Only reports whose period ends on or after this day (YYYY-MM-DD, UTC) or Unix time.") var since: String?
        @Flag(help: "List the reports themselves instead of the sources.") var list = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let since = try since.map(CLIDate.parse)
            if list {
                let reports = try await global.withConsole {
                    try await $0.dmarcReports(as: $1, domain: domain, since: since, limit: .max)
                }
                if json { return try Output.json(reports) }
                return Output.table(
                    ["DOMAIN", "REPORTER", "BEGIN", "END", "RECORDS", "MESSAGES", "REPORT-ID"],
                    reports.map {
                        [
                            $0.policyDomain, $0.orgName, Output.date($0.begin), Output.date($0.end), "\($0.records)",
                            "\($0.messages)", $0.reportID,
                        ]
                    })
            }
            let sources = try await global.withConsole {
                try await $0.dmarcSources(as: $1, domain: domain, since: since, limit: .max)
            }
            if json { return try Output.json(sources) }
            Output.table(
                [
                    "DOMAIN", "SOURCE", "MESSAGES", "DKIM PASS/FAIL", "SPF PASS/FAIL", "DMARC PASS/FAIL", "DISPOSITION",
                    "REPORTERS",
                ],
                sources.map {
                    [
                        $0.domain, $0.sourceIP, "\($0.messages)", "\($0.dkimPass)/\($0.dkimFail)", "\($0.spfPass)/\($0.spfFail)",
                        "\($0.dmarcPass)/\($0.dmarcFail)", $0.disposition, "\($0.reporters)",
                    ]
                })
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import aggregate reports from files: XML, .gz, .zip, or a whole message (.eml) carrying one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The files.") var files: [String] = []
        @Flag(help: "Read the new messages of [dmarc] report_address's INBOX instead, as the server does each hour.")
        var reportAddress = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if reportAddress {
                let imported = try await global.withSite { site in
                    guard site.config.dmarc.reportAddress != nil else { throw CLIError("[dmarc] report_address is not set") }
                    var logger = Logger(label: "posta")
                    logger.logLevel = .warning
                    return try await DMARCReporting.make(site, logger: logger).importReceivedReports()
                }
                return try show(imported)
            }
            guard !files.isEmpty else { throw CLIError("name the files to import, or --report-address") }
            let payloads = try files.map { ($0, try ImportFile.read($0, limit: AdminConsole.maxDMARCImportBytes)) }
            let imported = try await global.withConsole { console, principal in
                var all: [DMARCImportedReport] = []
                for (file, bytes) in payloads {
                    do {
                        all += try await console.importDMARCReports(as: principal, payload: bytes)
                    } catch let error as AdminError {
                        throw CLIError("\(file): \(error)")
                    }
                }
                return all
            }
            try show(imported)
        }

        private func show(_ imported: [DMARCImportedReport]) throws {
            if json { return try Output.json(imported) }
            for report in imported {
                print(
                    "\(report.duplicate ? "already imported" : "imported") report \(report.reportID) from \(report.orgName) for \(report.policyDomain): \(report.records) records, \(report.messages) messages"
                )
            }
        }
    }

    struct ReportXML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report-xml",
            abstract: "Write the aggregate report Posta would send a domain for one day, from its stored DMARC results.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The policy domain.") var domain: String
        @Option(help: "The reporting period: a UTC day, YYYY-MM-DD (default: yesterday).") var period: String?
        @Option(help: "The reporting organization (default: [dmarc] org_name, else the site's hostname).") var orgName: String?
        @Option(help: "The contact address in the report (default: [dmarc] report_from, else postmaster@<hostname>).")
        var email: String?
        @Option(help: "Write <receiver>!<domain>!<begin>!<end>.xml[.gz] into this folder instead of printing.") var outputDir:
            String?
        @Flag(help: "Compress with gzip (with --output-dir).") var gzip = false

        func run() async throws {
            let periodStart = try CLIDate.period(period)
            let config = try global.loadConfig()
            var reporter = config.dmarcReporter
            if let orgName { reporter.orgName = orgName }
            if let email { reporter.email = email }
            let report: DMARCFeedback
            do {
                report = try await global.withConsole {
                    try await $0.dmarcAggregateReport(as: $1, domain: domain, periodStart: periodStart, reporter: reporter)
                }
            } catch AdminError.notFound {
                throw CLIError("no DMARC results for \(domain) on \(UnixTime.dayText(periodStart))")
            }
            guard let outputDir else {
                return FileHandle.standardOutput.write(Data(try report.xml()))
            }
            let name = reporter.filename(policyDomain: report.policyPublished.domain, periodStart: periodStart, gzip: gzip)
            let path = outputDir + "/" + name.description
            guard FileManager.default.createFile(atPath: path, contents: Data(gzip ? try report.gzippedXML() : try report.xml()))
            else {
                throw CLIError("cannot write \(path)")
            }
            print(path)
        }
    }
}

/// `posta dmarc check --json`.
struct DMARCCheckOutput: Encodable {
    var result: String
    var headerFrom: String?
    var policyDomain: String?
    var organizationalDomain: String?
    var publishedPolicy: String?
    var requestedPolicy: String?
    var disposition: String
    var dkimAligned: String?
    var spfAligned: String?
    var overrides: [String]
    var reasons: [String]
    var authenticationResults: String

    init(_ evaluation: DMARCEvaluation) {
        result = evaluation.result.rawValue
        headerFrom = evaluation.authorDomain
        policyDomain = evaluation.policyDomain
        organizationalDomain = evaluation.organizationalDomain
        publishedPolicy = evaluation.publishedPolicy?.rawValue
        requestedPolicy = evaluation.requestedPolicy?.rawValue
        disposition = evaluation.disposition.rawValue
        dkimAligned = evaluation.dkimAlignedDomain
        spfAligned = evaluation.spfAlignedDomain
        overrides = evaluation.overrides.map(\.type.rawValue)
        reasons = evaluation.reasons
        authenticationResults = evaluation.authenticationResultsClause
    }

    enum CodingKeys: String, CodingKey {
        case result
        case headerFrom = "header_from"
        case policyDomain = "policy_domain"
        case organizationalDomain = "organizational_domain"
        case publishedPolicy = "published_policy"
        case requestedPolicy = "requested_policy"
        case disposition
        case dkimAligned = "dkim_aligned"
        case spfAligned = "spf_aligned"
        case overrides, reasons
        case authenticationResults = "authentication_results"
    }
}

/// Days on the command line: `YYYY-MM-DD` (midnight UTC) or Unix seconds.
enum CLIDate {
    static let day: Int64 = 86_400

    /// The start of the UTC day `text` names (YYYY-MM-DD or a Unix time in it); yesterday's when nil.
    static func period(_ text: String?) throws -> Int64 {
        UnixTime.dayStart(of: try text.map(parse) ?? UnixTime.now() - day)
    }

    static func parse(_ text: String) throws -> Int64 {
        if let seconds = Int64(text) { return seconds }
        guard let start = UnixTime.parseDay(text) else {
            throw CLIError("'\(text)' is not a day (YYYY-MM-DD) or a Unix time")
        }
        return start
    }
}
