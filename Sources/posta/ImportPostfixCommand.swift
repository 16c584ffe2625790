import ArgumentParser
import Migration

extension ImportCommand {
    /// `posta import postfix`: the work is `Migration.PostfixMapImporter`'s; this reads the files and shows the summary.
    struct Postfix: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create domains and aliases from Postfix virtual_mailbox_domains, virtual_alias_maps and aliases files.",
            discussion: """
                Domains become local domains; virtual(5) entries become aliases (@domain keys catch-alls); aliases(5) \
                entries become aliases of --alias-domain. Command (|prog), file (/path) and :include: targets, keys \
                without a domain and results without one are left out with the reason. What exists is reported and \
                not changed (running it again creates nothing twice). Reads table source files (what postmap reads), \
                not .db files or regexp/pcre tables. Checked and audited like posta domain add and posta alias add. \
                See docs/migration.md.
                """)
        static let maxFileBytes = 256 << 20

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("virtual-mailbox-domains"), help: "A file of domains (one per line, or `domain OK`).")
        var virtualMailboxDomains: String?
        @Option(name: .customLong("virtual-alias-maps"), help: "A virtual(5) table source file.") var virtualAliasMaps: String?
        @Option(help: "An aliases(5) file.") var aliases: String?
        @Option(name: .customLong("alias-domain"), help: "The domain of the aliases file's local names.") var aliasDomain: String?
        @Flag(help: "Report what would be created; write nothing.") var dryRun = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func validate() throws {
            guard virtualMailboxDomains != nil || virtualAliasMaps != nil || aliases != nil else {
                throw ValidationError("name at least one of --virtual-mailbox-domains, --virtual-alias-maps, --aliases")
            }
            guard aliases == nil || aliasDomain != nil else {
                throw ValidationError("--aliases needs --alias-domain (the domain of its local names)")
            }
        }

        func run() async throws {
            func read(_ path: String?) throws -> PostfixMapImporter.File? {
                try path.map { PostfixMapImporter.File(name: $0, bytes: try ImportFile.read($0, limit: Self.maxFileBytes)) }
            }
            let input = PostfixMapImporter.Input(
                virtualMailboxDomains: try read(virtualMailboxDomains), virtualAliasMaps: try read(virtualAliasMaps),
                aliases: try read(aliases), aliasDomain: aliasDomain)
            let summary = try await global.withConsole { console, cli in
                try await PostfixMapImporter(console: console, principal: cli).run(input, dryRun: dryRun)
            }
            if json {
                try Output.json(summary)
            } else {
                for line in summary.lines { print(line) }
            }
        }
    }
}
