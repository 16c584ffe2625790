import Admin
import ArgumentParser
import Core
import Foundation

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
        @Flag(help: "Send a day that has not ended: what is recorded so far; the rest of that day is never reported.")
        var early = false

        func run() async throws {
            let start = try CLIDate.period(period)
            let sent = try await global.withConsole {
                try await $0.queueDMARCReports(as: $1, periodStart: start, early: early)
            }
            if sent.isEmpty { print("no report to send for \(Output.date(start).prefix(10))") }
            for report in sent {
                let parts = report.recipients.map { "queued for \($0)" } + report.problems
                print("\(report.domain): " + (parts.isEmpty ? "nothing to send" : parts.joined(separator: "; ")))
            }
        }
    }
}
