import Admin
import ArgumentParser
import Core
import Logging
import Monitor
import Server

/// `posta abuse`: compromised-account suspensions, whitelist and reports (docs/abuse.md). The
/// logic is `AbuseMonitor`'s, shared with the evaluator of `posta serve`.
struct AbuseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abuse", abstract: "Compromised-account detection: suspensions, whitelist, reports.",
        subcommands: [List.self, Show.self, Release.self, Ignore.self, Report.self])

    static func withMonitor<R>(_ global: GlobalOptions, _ body: (AbuseMonitor) async throws -> R) async throws -> R {
        try await global.withSite { site in
            var logger = Logger(label: "posta")
            logger.logLevel = .warning
            return try await body(PostaServer.abuseMonitor(site, logger: logger))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List suspended accounts.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let suspensions = try await AbuseCommand.withMonitor(global) { try await $0.list() }
            if json {
                struct Listing: Encodable { var suspensions: [AbuseSuspension] }
                return try Output.json(Listing(suspensions: suspensions))
            }
            Output.table(
                ["ACCOUNT", "SUSPENDED", "NODE", "SCORE", "LOCKED", "HELD"],
                suspensions.map {
                    [
                        $0.account, Output.date($0.suspendedAt), $0.node, "\($0.score)", $0.locked ? "yes" : "no",
                        "\($0.heldMessages)",
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an account's score, client addresses, suspension, whitelist entries and audit trail.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let view = try await AbuseCommand.withMonitor(global) { try await $0.show(account: account) }
            if json { return try Output.json(view) }
            print(
                "account \(view.account)  suspended \(view.suspension.map { "since \(Output.date($0.suspendedAt)) by \($0.node)" } ?? "no")"
            )
            if let score = view.score {
                print("score \(score.total) (threshold \(score.threshold), window \(score.window) s)")
                Output.table(
                    ["RULE", "VALUE", "THRESHOLD", "WEIGHT", "SCORE"],
                    score.rules.map {
                        [
                            $0.rule.rawValue + ($0.ignored ? " (ignored)" : ""), "\($0.value)", "\($0.threshold)", "\($0.weight)",
                            "\($0.score)",
                        ]
                    })
            }
            print("")
            print(AbuseMonitor.table(view.ips.map { (view.account, $0) }).joined(separator: "\n"))
            if !view.ignores.isEmpty {
                print("\nignored: " + view.ignores.map { $0.rule?.rawValue ?? "all" }.joined(separator: ", "))
            }
            if !view.audit.isEmpty {
                print("")
                Output.table(
                    ["AT", "NODE", "ACTION", "DETAIL"], view.audit.map { [Output.date($0.at), $0.node, $0.action, $0.detail] })
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift an account's suspension and release (or delete) the mail it held.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String
        @Flag(help: "Delete the held mail instead of releasing it.") var deleteHeld = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let result = try await global.withConsole {
                try await $0.releaseAbuseSuspension(as: $1, account: account, deleteHeld: deleteHeld)
            }
            if json { return try Output.json(result) }
            guard result.released else { return print("\(result.account) is not suspended") }
            print(
                "\(result.account): suspension lifted, \(result.releasedMessages) message(s) released, \(result.deletedMessages) deleted"
            )
        }
    }

    struct Ignore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whitelist an account, or a network (192.0.2.0/24), for a rule or all of them.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "An account address or a network.") var target: String
        @Option(help: "The rule: \(AbuseRule.allCases.map(\.rawValue).joined(separator: ", ")) (default: all).") var rule: String?
        @Flag(help: "Remove the entry instead.") var remove = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var parsed: AbuseRule?
            if let rule, rule != "all" {
                guard let known = AbuseRule(rawValue: rule) else {
                    throw ValidationError(
                        "unknown rule '\(rule)' (expected all, \(AbuseRule.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                parsed = known
            }
            let result = try await global.withConsole {
                try await $0.setAbuseIgnore(as: $1, target: target, rule: parsed, remove: remove)
            }
            if json { return try Output.json(result) }
            print("\(result.removed ? "no longer ignored" : "ignored"): \(result.kind) \(result.target), rule \(result.rule)")
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accounts that sent mail from addresses they never read mail from, per address.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "How far back: a duration like 90m, 24h, 7d.") var since = "24h"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let span = ConfigDuration(parsing: since), span.seconds > 0 else {
                throw ValidationError("--since: expected a duration like 90m, 24h or 7d, got '\(since)'")
            }
            let report = try await global.withConsole { try await $0.abuseReport(as: $1, within: span) }
            if json { return try Output.json(report) }
            let rows = report.accounts.flatMap { account in account.ips.map { (account.account, $0) } }
            print(AbuseMonitor.table(rows).joined(separator: "\n"))
        }
    }
}
