import ArgumentParser
import Migration

extension ImportCommand {
    /// `posta import mbox`: the work is `Migration.MboxImporter`'s; this checks the arguments and shows the summary.
    struct Mbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import mbox files into folders of an account, keeping flags, dates and Dovecot/UW IMAP UIDs.",
            discussion: """
                Each FILE becomes a folder of the account, which must exist: the file's base name without .mbox \
                (a file named inbox goes to INBOX), or --folder with one FILE. The file is read as a stream. Keeps \
                flags and keywords (Status, X-Status, X-Keywords, X-Mozilla-Status/-Keys), the From_ line's date as \
                INTERNALDATE, and the UIDVALIDITY and UIDs of X-IMAPbase/X-UID when the folder is new, empty or an \
                earlier import of the same file; otherwise messages get new UIDs in file order. Running it again \
                imports nothing twice. Messages with a broken From_ line, a truncated last message and messages over \
                --max-message-size are reported with file:line and skipped. --variant auto (the default) reads Dovecot's files as mboxcl2. See \
                docs/migration.md.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The mbox files.") var files: [String]
        @Option(help: "The Posta account (it must exist).") var account: String
        @Option(help: "The folder to import into (only with one FILE).") var folder: String?
        @Option(
            help:
                "How body lines beginning with From are quoted: mboxrd, mboxo, mboxcl, mboxcl2, or auto (mboxcl2 for Dovecot's files, which carry X-IMAPbase, else mboxrd)."
        )
        var variant = "auto"
        @Option(name: .customLong("max-message-size"), help: "Skip and report messages larger than this many bytes.")
        var maxMessageSize = 64 << 20
        @Flag(help: "Report what would be imported; write nothing.") var dryRun = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one mbox FILE") }
            if folder != nil, files.count != 1 { throw ValidationError("--folder goes with exactly one FILE") }
            guard variant == "auto" || MboxImporter.variant(named: variant) != nil else {
                throw ValidationError("--variant is auto, mboxrd, mboxo, mboxcl or mboxcl2, not \(variant)")
            }
            guard maxMessageSize > 0 else { throw ValidationError("--max-message-size must be positive") }
        }

        func run() async throws {
            let sources = files.map { file in
                folder.map { MboxImporter.Source(path: file, folder: $0) } ?? MboxImporter.Source(path: file)
            }
            let options = MboxImporter.Options(
                variant: MboxImporter.variant(named: variant), dryRun: dryRun, maxMessageSize: maxMessageSize)
            let summary = try await global.withSite { site in
                guard let found = try await site.directory.account(account) else {
                    throw CLIError("no account \(account): create it first (posta user add)")
                }
                return try await MboxImporter(store: site.store).run(account: found, sources: sources, options: options)
            }
            if json {
                try Output.json(summary)
            } else {
                for line in summary.lines { print(line) }
            }
        }
    }
}
