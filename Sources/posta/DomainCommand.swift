import Admin
import ArgumentParser
import Directory

struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Manage the local domains Posta receives mail for.",
        subcommands: [Add.self, Delete.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a local domain.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The domain name, e.g. example.org.") var name: String

        func run() async throws {
            let domain = try await global.withConsole { try await $0.addDomain(as: $1, name: name) }
            print("added domain \(domain.name)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Delete a domain that has no users or aliases left.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The domain name.") var name: String

        func run() async throws {
            try await global.withConsole { try await $0.deleteDomain(as: $1, name: name) }
            print("deleted domain \(name.lowercased())")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the local domains.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let domains = try await global.withSite { try await $0.directory.domains() }
            if json { return try Output.json(domains) }
            Output.table(["DOMAIN", "CREATED"], domains.map { [$0.name, Output.date($0.createdAt)] })
        }
    }
}
