import Admin
import ArgumentParser
import Lists

/// `posta list ban …`: addresses that may neither post to a list nor join it.
struct ListBanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ban", abstract: "Ban addresses from posting to and joining a list.",
        subcommands: [Add.self, Delete.self, Show.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ban an address, or every address a wildcard pattern matches (* any characters, ? one).")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Argument(help: "alice@example.net, or e.g. '*@spam.example'.") var pattern: String

        func run() async throws {
            let ban = try await global.withConsole { try await $0.banFromList(as: $1, list: list, pattern: pattern) }
            print("banned \(ban.pattern) from \(list)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Lift a ban.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Argument(help: "The pattern as it was banned.") var pattern: String

        func run() async throws {
            try await global.withConsole { try await $0.unbanFromList(as: $1, list: list, pattern: pattern) }
            print("lifted the ban on \(pattern)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a list's bans.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let rules = try await global.withConsole { try await $0.listRules(as: $1, list: list) }
            if json { return try Output.json(rules.bans) }
            Output.table(["PATTERN"], rules.bans.map { [$0.pattern] })
        }
    }
}
