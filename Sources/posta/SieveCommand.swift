import ArgumentParser
import Core
import Foundation
import Server
import Sieve

/// `posta sieve`: users' filtering rules (docs/sieve.md), for administrators.
struct SieveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sieve", abstract: "Manage Sieve scripts: users' filters, vacation replies, global scripts.",
        subcommands: [
            List.self, Get.self, Put.self, Activate.self, Deactivate.self, Delete.self, Check.self, Test.self,
            Global.self,
        ])

    /// The account behind an address.
    static func accountID(_ address: String, in site: Site) async throws -> Int64 {
        guard let account = try await site.directory.account(address) else { throw CLIError("no account \(address)") }
        return account.id
    }

    static func read(_ path: String) throws -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an account's scripts (the active one marked).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let scripts = try await global.withSite { site in
                try await site.sieve.list(accountID: try await SieveCommand.accountID(account, in: site))
            }
            if json { return try Output.json(scripts) }
            Output.table(
                ["NAME", "ACTIVE", "SIZE", "LAST ERROR"],
                scripts.map { [$0.name, $0.active ? "yes" : "", String($0.size), $0.lastError ?? ""] })
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a script.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String
        @Argument(help: "The script's name.") var name: String

        func run() async throws {
            let text = try await global.withSite { site in
                try await site.sieve.get(accountID: try await SieveCommand.accountID(account, in: site), name: name)
            }
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a script for an account (checked first; replaces one of the same name).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String
        @Argument(help: "The script's name.") var name: String
        @Argument(help: "The script file ('-': standard input).") var file: String
        @Flag(help: "Make it the active script too.") var activate = false

        func run() async throws {
            let text = try SieveCommand.read(file)
            try await global.withSite { site in
                let id = try await SieveCommand.accountID(account, in: site)
                try await site.sieve.put(accountID: id, name: name, text: text)
                if activate { try await site.sieve.setActive(accountID: id, name: name) }
            }
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a script the account's active one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String
        @Argument(help: "The script's name.") var name: String

        func run() async throws {
            try await global.withSite { site in
                try await site.sieve.setActive(accountID: try await SieveCommand.accountID(account, in: site), name: name)
            }
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Leave the account without an active script.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String

        func run() async throws {
            try await global.withSite { site in
                try await site.sieve.setActive(accountID: try await SieveCommand.accountID(account, in: site), name: nil)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a script (not the active one).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's address.") var account: String
        @Argument(help: "The script's name.") var name: String

        func run() async throws {
            try await global.withSite { site in
                try await site.sieve.delete(accountID: try await SieveCommand.accountID(account, in: site), name: name)
            }
        }
    }
}
