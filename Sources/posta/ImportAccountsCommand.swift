import ArgumentParser
import Migration

extension AccountImporter.Format: ExpressibleByArgument {}

extension ImportCommand {
    /// `posta import accounts`: the work is `Migration.AccountImporter`'s; this reads the file and shows the summary.
    struct Accounts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create accounts from a Dovecot passwd-file or an LDIF export, keeping their password hashes.",
            discussion: """
                Each entry becomes an account with the entry's {SCHEME} hash stored as written, so users log in with \
                the passwords they had. An account that exists is reported and not changed (running it again creates \
                nothing twice). An entry without an address or password, with a scheme Posta does not verify, or in a \
                domain that is not local (unless --domain-create) is skipped with its line and reason. A passwd-file's \
                userdb_quota_rule=*:storage=... becomes the quota. Checked and audited like posta user add. See \
                docs/migration.md.
                """)
        /// Larger input files are refused (a passwd-file of 100,000 users is a few tens of MB).
        static let maxFileBytes = 256 << 20

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The passwd-file or LDIF file.") var file: String
        @Option(help: "passwd-file or ldif.") var format: AccountImporter.Format
        @Flag(name: .customLong("domain-create"), help: "Add domains that are not local yet.") var domainCreate = false
        @Flag(help: "Report what would be created; write nothing.") var dryRun = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            let bytes = try ImportFile.read(file, limit: Self.maxFileBytes)
            let options = AccountImporter.Options(
                format: format, createDomains: domainCreate, dryRun: dryRun, fileName: file)
            let summary = try await global.withConsole { console, cli in
                try await AccountImporter(console: console, principal: cli).run(bytes, options: options)
            }
            if json {
                try Output.json(summary)
            } else {
                for line in summary.lines { print(line) }
            }
        }
    }
}
