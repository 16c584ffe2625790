import ArgumentParser
import Core
import Foundation
import Logging
import Policy
import Server

extension DMARCCommand {
    /// `posta dmarc send-reports`: what the server does each hour with `[dmarc] send_reports`, now.
    struct SendReports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-reports",
            abstract: "Queue the aggregate reports of one day for the domains that asked for them (rua=).",
            discussion: """
                A report goes once per domain and day, whoever sends it (this command or a server \
                with [dmarc] send_reports). Sending the current day early means its later results \
                are never reported. The queue of a running server delivers the reports.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The reporting period: a UTC day, YYYY-MM-DD (default: yesterday).") var period: String?

        func run() async throws {
            let now = UnixTime.now()
            let start = try CLIDate.period(period)
            let sent = try await global.withSite { site in
                var logger = Logger(label: "posta")
                logger.logLevel = .warning
                return try await DMARCReporting.make(site, logger: logger).sendReports(
                    periodStart: start, now: now)
            }
            if sent.isEmpty { print("no report to send for \(Output.date(start).prefix(10))") }
            for report in sent {
                let parts =
                    report.recipients.map { "queued for \($0)" } + report.refused
                    + (report.retryLater ? ["DNS failed: try again later"] : [])
                print("\(report.domain): " + (parts.isEmpty ? "nothing to send" : parts.joined(separator: "; ")))
            }
        }
    }
}
