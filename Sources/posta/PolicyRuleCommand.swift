import Admin
import ArgumentParser
import Policy

struct PolicyRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rule", abstract: "Modules attached to policies, with their settings (key=value).",
        subcommands: [Add.self, Change.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach a module: access, helo, spf, greylist, quota or accounting (keys in docs/policy.md).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy name.") var policy: String
        @Argument(help: "The module.") var module: PolicyModuleKind
        @Argument(help: "Settings as key=value.") var settings: [String] = []

        func run() async throws {
            let parsed = try parseSettings(settings)
            let id = try await global.withConsole {
                try await $0.addPolicyRule(as: $1, policy: policy, module: module, settings: parsed)
            }
            print("added rule #\(id) (\(module.rawValue)) to policy \(policy)")
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a rule's settings (key= removes a key).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule number.") var id: Int64
        @Argument(help: "Settings as key=value.") var settings: [String] = []
        @Flag(inversion: .prefixedEnableDisable, help: "Enable or disable the rule.") var enable: Bool?

        func run() async throws {
            let parsed = try parseSettings(settings)
            try await global.withConsole { try await $0.changePolicyRule(as: $1, id: id, settings: parsed, enabled: enable) }
            print("changed rule #\(id)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a rule.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule number.") var id: Int64

        func run() async throws {
            try await global.withConsole { try await $0.deletePolicyRule(as: $1, id: id) }
            print("deleted rule #\(id)")
        }
    }
}

func parseSettings(_ items: [String]) throws -> [String: String] {
    var settings: [String: String] = [:]
    for item in items {
        guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
            throw CLIError("'\(item)' is not key=value")
        }
        settings[String(item[..<equals])] = String(item[item.index(after: equals)...])
    }
    return settings
}
