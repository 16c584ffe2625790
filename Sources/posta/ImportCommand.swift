import ArgumentParser
import Foundation
import IMAP
import Migration

/// `posta import`: mail from another server into existing Posta accounts. The work is
/// `Migration.DovecotMaildirImporter`'s; this only shows it.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Import from another server: accounts (Dovecot passwd-file, LDIF), Postfix domains and aliases, mail from Dovecot Maildirs, mbox files or a live IMAP server.",
        subcommands: [Maildir.self, Mbox.self, IMAPSource.self, Accounts.self, Postfix.self])

    struct Maildir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import Dovecot Maildir(++) trees of many users, keeping UIDVALIDITY, UIDs, flags and POP3 UIDLs.",
            discussion: """
                Finds each user's Maildir under ROOT by --layout (default %d/%n/Maildir: ROOT/<domain>/<local \
                part>/Maildir) and imports it into the Posta account with that address, which must exist. Keeps \
                each mailbox's UIDVALIDITY, UIDs and next UID (dovecot-uidlist), flags and keywords (file names, \
                dovecot-keywords), INTERNALDATE (file mtimes), subscriptions and POP3 UIDLs. Running it again \
                imports nothing twice. A mailbox that holds messages under another UIDVALIDITY is not touched. \
                See docs/migration.md.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The folder holding the users' Maildirs.") var root: String
        @Option(help: "Where each Maildir is under ROOT: components %d (domain), %n (local part), %u (address).")
        var layout = MaildirLayout.defaultPattern
        @Option(name: .customLong("pop3-uidl-format"), help: "The old server's pop3_uidl_format (for uidlists that record none).")
        var pop3UIDLFormat = "%08Xu%08Xv"
        @Option(name: .customLong("user"), help: "Import only this address (repeatable).") var users: [String] = []
        @Flag(help: "Report what would be imported; write nothing.") var dryRun = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            guard let parsedLayout = MaildirLayout(layout) else {
                throw CLIError("layout \(layout) is not a path of components with %d and %n, or %u, each a whole component")
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError("\(root) is not a folder")
            }
            let options = DovecotMaildirImporter.Options(
                layout: parsedLayout, dryRun: dryRun, pop3UIDLFormat: pop3UIDLFormat,
                onlyUsers: users.isEmpty ? nil : Set(users.map { $0.lowercased() }))
            let summary = try await global.withSite { site in
                let importer = DovecotMaildirImporter(
                    store: site.store, directory: site.directory,
                    decodeModifiedUTF7: { ModifiedUTF7.decode(Array($0.utf8)) })
                return try await importer.run(root: root, options: options)
            }
            if json {
                try Output.json(summary)
            } else {
                for line in summary.lines { print(line) }
            }
        }
    }
}
