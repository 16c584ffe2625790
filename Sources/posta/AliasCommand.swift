import Admin
import ArgumentParser
import Core
import Directory

struct AliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Manage aliases (one source to several targets; '@domain' is a catch-all).",
        subcommands: [Add.self, Delete.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make SOURCE deliver to each TARGET.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "local@domain, or @domain for a catch-all.") var source: String
        @Argument(help: "Local or external addresses.") var targets: [String]

        func validate() throws {
            guard !targets.isEmpty else { throw ValidationError("name at least one target") }
        }

        func run() async throws {
            try await global.withConsole { try await $0.addAlias(as: $1, source: source, targets: targets) }
            print("alias \(source) → \(targets.joined(separator: ", "))")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Remove targets of an alias, or the whole alias.")
        @OptionGroup var global: GlobalOptions
        @Argument var source: String
        @Argument(help: "Targets to remove; none removes the alias.") var targets: [String] = []

        func run() async throws {
            try await global.withConsole { try await $0.deleteAlias(as: $1, source: source, targets: targets) }
            print(targets.isEmpty ? "deleted alias \(source)" : "removed \(targets.joined(separator: ", ")) from \(source)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List aliases.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this domain.") var domain: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let aliases = try await global.withSite { try await $0.directory.aliases(domain: domain) }
            if json { return try Output.json(aliases) }
            Output.table(["SOURCE", "TARGETS"], aliases.map { [$0.source, $0.targets.joined(separator: ", ")] })
        }
    }
}

/// `posta resolve ADDRESS`: where mail to an address would go (for the helpdesk).
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Show where mail to an address is delivered (aliases, subaddress, catch-all).")
    @OptionGroup var global: GlobalOptions
    @Argument var address: String
    @Flag(help: "Print JSON.") var json = false

    struct Line: Encodable {
        let kind: String
        let address: String
        let detail: String?
    }

    func run() async throws {
        let parsed: MailAddress
        do { parsed = try MailAddress(parsing: address) } catch { throw DirectoryError.invalidAddress(address, error) }
        let resolution = try await global.withSite { try await $0.directory.resolve(parsed) }
        switch resolution {
        case .notLocal: throw CLIError("\(parsed.domain) is not a local domain")
        case .unknown: throw CLIError("no such recipient: \(parsed)")
        case .deliver(let deliveries):
            let lines = deliveries.map { delivery -> Line in
                switch delivery {
                case .mailbox(_, let address, let detail): Line(kind: "mailbox", address: address, detail: detail)
                case .external(let address): Line(kind: "external", address: address.description, detail: nil)
                case .service(let owner): Line(kind: owner.service, address: owner.address.description, detail: nil)
                }
            }
            if json { return try Output.json(lines) }
            Output.table(["KIND", "ADDRESS", "DETAIL"], lines.map { [$0.kind, $0.address, $0.detail ?? ""] })
        }
    }
}
