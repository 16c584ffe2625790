import Admin
import ArgumentParser
import Lists

/// `posta list rule …`: header match rules, tried before any moderation.
struct ListRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rule", abstract: "Header match rules: posts whose field matches get the rule's action.",
        subcommands: [Add.self, Delete.self, Show.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a rule (tried in the order added).")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Option(help: "The header field, e.g. Subject or X-Spam-Flag.") var field: String
        @Option(
            help:
                "A wildcard pattern (* any characters, ? one, \\ the next literally), found anywhere in the decoded value, without regard to case."
        )
        var pattern: String
        @Option(help: "accept, hold, reject or discard.") var action: ModerationAction

        func run() async throws {
            let (field, pattern, action) = (field, pattern, action)
            let rule = try await global.withConsole {
                try await $0.addListHeaderRule(as: $1, list: list, field: field, pattern: pattern, action: action)
            }
            print("rule \(rule.id): \(rule.field) ~ \(rule.pattern) → \(rule.action.rawValue)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Remove a rule.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Argument(help: "The rule's id (posta list rule list).") var id: Int64

        func run() async throws {
            try await global.withConsole { try await $0.removeListHeaderRule(as: $1, list: list, id: id) }
            print("removed rule \(id)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a list's header rules.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let rules = try await global.withConsole { try await $0.listRules(as: $1, list: list) }
            if json { return try Output.json(rules.headerRules) }
            Output.table(
                ["ID", "FIELD", "PATTERN", "ACTION"],
                rules.headerRules.map { ["\($0.id)", $0.field, $0.pattern, $0.action.rawValue] })
        }
    }
}
