import ArgumentParser
import Core
import Logging
import Monitor
import Server

/// `posta summary`: the daily numbers (mail received and submitted, top senders, refusals,
/// failed logins, queue peak, suspended accounts) that `posta serve` can mail every morning.
struct SummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "The daily mail summary.", subcommands: [Show.self, Send.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one day's summary (default: today so far).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A UTC day, YYYY-MM-DD (default: today).") var day: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let config = try global.loadConfig()
            let start = try day.map { try CLIDate.period($0) } ?? UnixTime.dayStart(of: UnixTime.now())
            let summary = try await global.withSite { site in
                try await DailySummary.gather(day: start, top: config.summary.top, database: site.database)
            }
            if json {
                try Output.json(summary)
            } else {
                print(
                    DailySummaryMail(summary: summary, hostname: config.hostname, from: "", to: [], date: UnixTime.now())
                        .body(), terminator: "")
            }
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue one day's summary mail to [summary] to (default: yesterday).",
            discussion: "`posta serve` does this every day after [summary] send_at when [summary] send is true.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A UTC day, YYYY-MM-DD (default: yesterday).") var day: String?
        @Flag(help: "Send it even if it was sent before.") var again = false

        func run() async throws {
            let start = try CLIDate.period(day)
            let sent = try await global.withSite { site in
                let sender = DailySummarySender(
                    site: site, rollup: DailyRollup(database: site.database), logger: Logger(label: "posta.summary"))
                return try await sender.send(day: start, now: UnixTime.now(), byHand: true, again: again)
            }
            guard sent else {
                throw CLIError("the summary of \(Output.date(start).prefix(10)) was sent before (--again sends it again)")
            }
            print("queued the summary of \(Output.date(start).prefix(10))")
        }
    }
}
