import Admin
import ArgumentParser
import Filter

struct FilterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter", abstract: "Content filter settings.",
        subcommands: [FilterSettingsCommand.self])
}

/// `posta filter settings`: per-account and per-domain spam thresholds and Junk delivery, through
/// `AdminConsole+FilterSettings.swift` (validated, permission-checked and audited).
struct FilterSettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract:
            "Per-account and per-domain spam settings (unset values come from the domain, then [filter]).",
        subcommands: [Set.self, List.self, Delete.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Set spam settings of an account (USER) or a domain (@DOMAIN); 'default' unsets one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "An account address, or @domain.") var scope: String
        @Option(help: "Score at or above which mail is spam (number or 'default').") var junkThreshold: String?
        @Option(help: "Score at or above which mail is refused (number or 'default').")
        var rejectThreshold: String?
        @Option(help: "Deliver spam into Junk: on, off or default.") var junk: String?

        func run() async throws {
            let scope = try FilterSettingsCommand.scope(scope)
            guard junkThreshold != nil || rejectThreshold != nil || junk != nil else {
                throw CLIError("nothing to set: give --junk-threshold, --reject-threshold or --junk")
            }
            let junkThreshold = try junkThreshold.map {
                try FilterSettingsCommand.number($0, option: "--junk-threshold")
            }
            let rejectThreshold = try rejectThreshold.map {
                try FilterSettingsCommand.number($0, option: "--reject-threshold")
            }
            let junk = try junk.map(FilterSettingsCommand.toggle)
            let settings = try await global.withConsole { console, principal in
                var settings = try await console.filterSettings(as: principal, scope: scope).own
                if let junkThreshold { settings.junkThreshold = junkThreshold }
                if let rejectThreshold { settings.rejectThreshold = rejectThreshold }
                if let junk { settings.junk = junk }
                return try await console.setFilterSettings(as: principal, scope: scope, settings).own
            }
            print("\(scope): \(FilterSettingsCommand.describe(settings))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List accounts and domains with their own spam settings.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let entries = try await global.withConsole { console, principal in
                try await console.filterSettings(as: principal).map {
                    SpamSettingsStore.Entry(scope: $0.scope, settings: $0.own)
                }
            }
            if json { return try Output.json(entries) }
            Output.table(
                ["SCOPE", "JUNK-THRESHOLD", "REJECT-THRESHOLD", "JUNK"],
                entries.map { entry in
                    let s = entry.settings
                    return [
                        entry.scope, s.junkThreshold.map { "\($0)" } ?? "default",
                        s.rejectThreshold.map { "\($0)" } ?? "default",
                        s.junk.map { $0 ? "on" : "off" } ?? "default",
                    ]
                })
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Remove the spam settings of an account or domain.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "An account address, or @domain.") var scope: String

        func run() async throws {
            let scope = try FilterSettingsCommand.scope(scope)
            do {
                try await global.withConsole { console, principal in
                    try await console.deleteFilterSettings(as: principal, scope: scope)
                }
            } catch AdminError.notFound {
                throw CLIError("no spam settings for '\(scope)'")
            }
            print("deleted spam settings of \(scope)")
        }
    }

    static func scope(_ text: String) throws -> String {
        guard let scope = SpamSettingsStore.normalize(text) else {
            throw CLIError("'\(text)' is neither an account address (user@domain) nor a domain (@domain)")
        }
        return scope
    }

    /// A threshold, or nil for `default`.
    static func number(_ text: String, option: String) throws -> Double? {
        if text == "default" { return nil }
        guard let value = Double(text), value.isFinite else {
            throw CLIError("\(option): expected a number or 'default', got '\(text)'")
        }
        return value
    }

    /// `on`/`off`, or nil for `default`.
    static func toggle(_ text: String) throws -> Bool? {
        switch text {
        case "on": return true
        case "off": return false
        case "default": return nil
        default: throw CLIError("--junk: expected on, off or default, got '\(text)'")
        }
    }

    static func describe(_ s: SpamPreferences) -> String {
        "junk threshold \(s.junkThreshold.map { "\($0)" } ?? "default"), reject threshold \(s.rejectThreshold.map { "\($0)" } ?? "default"), junk \(s.junk.map { $0 ? "on" : "off" } ?? "default")"
    }
}
