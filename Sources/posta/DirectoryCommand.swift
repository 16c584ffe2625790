import ArgumentParser
import Core
import Directory
import Foundation

/// `posta directory`: what the account directories (SQL, LDAP) answer.
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Ask the account directory (SQL or LDAP) about a login or an address.",
        subcommands: [Test.self, Sync.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the directory answers for an address (where mail goes) or a login (the account).",
            discussion: """
                With an address: where mail to it is delivered (like postmap -q). With --user or a password: the \
                account's data and whether the password logs in (like doveadm user / doveadm auth test); no \
                throttle applies and nothing is logged.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "An address, or a login.") var name: String
        @Flag(help: "Show the account behind a login rather than where mail goes.") var user = false
        @Option(help: "Check this password, read from the file's first line ('-': standard input).")
        var passwordFile: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let password = try passwordFile.map(Self.readFirstLine)
            if user || password != nil {
                let report = try await global.withSite { site in await site.directory.probeLogin(name, password: password) }
                if json { return try Output.json(report) }
                var rows: [[String]] = [["source", report.source], ["found", report.found ? "yes" : "no"]]
                for (key, value) in [
                    ("dn", report.dn), ("id", report.id), ("address", report.address), ("quota", report.quota.map(String.init)),
                    ("enabled", report.enabled.map { $0 ? "yes" : "no" }), ("home", report.home), ("auth", report.auth),
                    ("grace logins", report.graceLogins.map(String.init)), ("error", report.error),
                ] {
                    if let value { rows.append([key, value]) }
                }
                Output.table(["FIELD", "VALUE"], rows)
                return
            }
            let report = try await global.withSite { site in await site.directory.probeAddress(name) }
            if json { return try Output.json(report) }
            print("\(report.address): \(report.resolution) (\(report.source))")
            for delivery in report.deliveries { print("  \(delivery.kind) \(delivery.address)") }
            if let error = report.error { print("  error: \(error)") }
        }

        static func readFirstLine(_ path: String) throws -> String {
            let data: Data
            if path == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let read = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
                data = read
            }
            let text = String(decoding: data, as: UTF8.self)
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the LDAP directories' accounts with Posta's records.",
            discussion: """
                Lists accounts that appeared in LDAP (no record yet), records made before the domain moved to \
                LDAP that the entry with their address takes over, records whose entry disappeared, records no entry \
                names, and entries that conflict. Without --dry-run, records are made for the new ones, the old ones \
                are linked and the vanished ones disabled (their mail is kept); nothing changes unless the directory \
                listed every entry.
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only list; change nothing.") var dryRun = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let report = try await global.withSite { site in try await site.directory.syncLDAP(dryRun: dryRun) }
            if json { return try Output.json(report) }
            for address in report.appeared { print("+ \(address)") }
            for address in report.adopted { print("= \(address) (record linked)") }
            for address in report.disappeared { print("- \(address)") }
            for address in report.unlinked { print("? \(address) (no entry names this record)") }
            for conflict in report.conflicts { print("! \(conflict.address): \(conflict.reason)") }
            for dn in report.unusable { print("! \(dn): not an account (no id attribute)") }
            print(
                "\(report.appeared.count) appeared, \(report.adopted.count) linked, \(report.disappeared.count) disappeared, "
                    + "\(report.unchanged) unchanged, \(report.conflicts.count + report.unusable.count) conflicts")
        }
    }
}
