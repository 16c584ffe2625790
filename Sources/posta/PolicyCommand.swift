import Admin
import ArgumentParser
import Policy
import Server

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Manage policies (access, HELO, SPF, greylisting, quotas, accounting).",
        subcommands: [
            List.self, Add.self, Change.self, Enable.self, Disable.self, Delete.self, PolicyMemberCommand.self,
            PolicyGroupCommand.self, PolicyRuleCommand.self, PolicyQuotaCommand.self, PolicyGreylistCommand.self,
            PolicyAccountingCommand.self, PolicyPurgeCommand.self,
        ])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List policies with their members and rules.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let policies = try await global.withSite { try await PolicyStore(database: $0.database).policies() }
            if json { return try Output.json(policies) }
            Output.table(
                ["POLICY", "PRIORITY", "ENABLED", "MEMBERS", "RULES"],
                policies.map { policy in
                    [
                        policy.name, String(policy.priority), policy.enabled ? "yes" : "no",
                        policy.members.map { "#\($0.id) \($0.negate ? "!" : "")\($0.attribute.rawValue)=\($0.pattern)" }
                            .joined(separator: ", "),
                        policy.rules.map { rule in
                            "#\(rule.id) \(rule.module.rawValue)\(rule.enabled ? "" : " (disabled)")"
                                + " "
                                + rule.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                        }.joined(separator: "; "),
                    ]
                })
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a policy (lower priority is evaluated first).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy name.") var name: String
        @Option(help: "Evaluation order: lower first.") var priority: Int64 = 50
        @Option(help: "What the policy is for.") var description = ""

        func run() async throws {
            try await global.withConsole {
                try await $0.addPolicy(as: $1, name: name, priority: priority, description: description)
            }
            print("added policy \(name)")
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a policy's priority or description.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy name.") var name: String
        @Option(help: "Evaluation order: lower first.") var priority: Int64?
        @Option(help: "What the policy is for.") var description: String?

        func run() async throws {
            try await global.withConsole {
                try await $0.changePolicy(as: $1, name: name, priority: priority, description: description)
            }
            print("changed policy \(name)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a policy.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy name.") var name: String

        func run() async throws {
            try await global.withConsole { try await $0.setPolicyEnabled(as: $1, name: name, enabled: true) }
            print("enabled policy \(name)")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a policy (kept, not evaluated).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy name.") var name: String

        func run() async throws {
            try await global.withConsole { try await $0.setPolicyEnabled(as: $1, name: name, enabled: false) }
            print("disabled policy \(name)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Delete a policy with its members and rules.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy name.") var name: String

        func run() async throws {
            try await global.withConsole { try await $0.deletePolicy(as: $1, name: name) }
            print("deleted policy \(name)")
        }
    }
}
