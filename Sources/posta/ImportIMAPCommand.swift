import ArgumentParser
import Foundation
import IMAP
import Migration

extension ImportCommand {
    /// `posta import imap`: the work is `Migration.IMAPPuller`'s; this checks the arguments and shows the summary.
    struct IMAPSource: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "imap",
            abstract: "Pull the mail of an account on any IMAP server, with flags, dates and UIDs, into a Posta account.",
            discussion: """
                Logs in with LOGIN, lists every folder (LIST "" "*"), and pulls each selectable one (or only those \
                named with --folder) read-only with EXAMINE and UID FETCH ... BODY.PEEK[], in batches. Keeps flags \
                (not \\Recent) and INTERNALDATE, and the source's UIDVALIDITY and UIDs when the Posta folder is new, \
                empty or an earlier pull of the same UIDVALIDITY; otherwise messages get new UIDs. Running it again \
                imports nothing twice and finishes an interrupted run. The account must exist. See docs/migration.md.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The IMAP server.") var host: String
        @Option(help: "The port (default 993 with --tls implicit, else 143).") var port: Int?
        @Option(help: "implicit (TLS from the first byte), starttls, or none.") var tls = "implicit"
        @Flag(help: "Do not verify the server's certificate.") var insecure = false
        @Option(help: "The login name on the IMAP server.") var user: String
        @Option(name: .customLong("password-file"), help: "A file whose first line is the password.")
        var passwordFile: String
        @Option(help: "The Posta account (it must exist).") var account: String
        @Option(name: .customLong("folder"), help: "Pull only this source folder (repeatable).") var folders: [String] = []
        @Option(name: .customLong("max-message-size"), help: "Skip and report messages larger than this many bytes.")
        var maxMessageSize = 64 << 20
        @Flag(help: "Report what would be imported; write nothing.") var dryRun = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func validate() throws {
            guard IMAPPullTLS(rawValue: tls) != nil else { throw ValidationError("--tls is implicit, starttls or none") }
            if let port, !(1...65535).contains(port) { throw ValidationError("--port must be 1-65535") }
            guard maxMessageSize > 0 else { throw ValidationError("--max-message-size must be positive") }
        }

        func run() async throws {
            let mode = IMAPPullTLS(rawValue: tls) ?? .implicit
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw CLIError("cannot read \(passwordFile)")
            }
            let password = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[0])
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            let source = IMAPPuller.Source(
                host: host, port: port ?? (mode == .implicit ? 993 : 143), tls: mode, insecure: insecure, user: user,
                password: password)
            let options = IMAPPuller.Options(folders: folders, dryRun: dryRun, maxMessageSize: maxMessageSize)
            let summary = try await global.withSite { site in
                guard let found = try await site.directory.account(account) else {
                    throw CLIError("no account \(account): create it first (posta user add)")
                }
                let puller = IMAPPuller(store: site.store, decodeModifiedUTF7: { ModifiedUTF7.decode(Array($0.utf8)) })
                do {
                    return try await puller.run(account: found, source: source, options: options)
                } catch let error as IMAPPullError {
                    throw CLIError("\(source.host): \(error)")
                }
            }
            if json {
                try Output.json(summary)
            } else {
                for line in summary.lines { print(line) }
            }
        }
    }
}
