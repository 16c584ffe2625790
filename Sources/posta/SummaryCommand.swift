import Admin
import ArgumentParser
import Core
import Monitor

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
            let start = try day.map { try CLIDate.period($0) }
            let summary = try await global.withConsole { try await $0.dailySummary(as: $1, day: start) }
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
            let start = try day.map { try CLIDate.period($0) }
            let sent = try await global.withConsole { try await $0.sendDailySummary(as: $1, day: start, again: again) }
            let text = DailySummaryMail.dayText(sent.day)
            guard sent.queued else { throw CLIError("the summary of \(text) was sent before (--again sends it again)") }
            print("queued the summary of \(text)")
        }
    }
}
