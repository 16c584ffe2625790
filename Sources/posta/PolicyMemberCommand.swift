import Admin
import ArgumentParser
import Policy

extension PolicyAttribute: ExpressibleByArgument {}
extension PolicyModuleKind: ExpressibleByArgument {}

struct PolicyMemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Who a policy applies to.", subcommands: [Add.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Add a member: client CIDR, HELO name, sender/recipient (user@domain, @domain, .domain), SASL user, or %group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy name.") var policy: String
        @Argument(help: "client, helo, sender, recipient or sasl.") var attribute: PolicyAttribute
        @Argument(help: "The pattern, or %group.") var pattern: String
        @Flag(name: .customLong("not"), help: "Negate: the policy does not apply when this matches.") var negate = false

        func run() async throws {
            let id = try await global.withConsole {
                try await $0.addPolicyMember(as: $1, policy: policy, attribute: attribute, pattern: pattern, negate: negate)
            }
            print("added member #\(id) to policy \(policy)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a member by its number.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The member number (from `posta policy list`).") var id: Int64

        func run() async throws {
            try await global.withConsole { try await $0.deletePolicyMember(as: $1, id: id) }
            print("deleted member #\(id)")
        }
    }
}

struct PolicyGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Named lists of patterns, used in members as %name.",
        subcommands: [List.self, Add.self, Delete.self, AddEntry.self, DeleteEntry.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups and their entries.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let groups = try await global.withConsole { try await $0.policyGroups(as: $1) }
            if json { return try Output.json(groups) }
            Output.table(["GROUP", "ENTRIES"], groups.map { [$0.name, $0.entries.joined(separator: ", ")] })
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group name.") var name: String

        func run() async throws {
            try await global.withConsole { try await $0.addPolicyGroup(as: $1, name: name) }
            print("added group \(name)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a group no member uses.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group name.") var name: String

        func run() async throws {
            try await global.withConsole { try await $0.deletePolicyGroup(as: $1, name: name) }
            print("deleted group \(name)")
        }
    }

    struct AddEntry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-entry", abstract: "Add a pattern to a group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group name.") var group: String
        @Argument(help: "The pattern.") var pattern: String

        func run() async throws {
            try await global.withConsole { try await $0.addPolicyGroupEntry(as: $1, group: group, pattern: pattern) }
            print("added \(pattern) to group \(group)")
        }
    }

    struct DeleteEntry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del-entry", abstract: "Remove a pattern from a group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group name.") var group: String
        @Argument(help: "The pattern.") var pattern: String

        func run() async throws {
            try await global.withConsole { try await $0.deletePolicyGroupEntry(as: $1, group: group, pattern: pattern) }
            print("removed \(pattern) from group \(group)")
        }
    }
}
