import ArgumentParser
import Directory
import Foundation
import IMAP
import Migration

/// `posta export`: one account's mail out of Posta, as a Maildir++ tree Dovecot serves with the same UIDs,
/// or as mbox files. The work is `Migration.AccountExporter`'s; this only shows it.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export one account's mail as Maildir (for Dovecot, UIDs kept) or mbox.",
        discussion: """
            maildir: a Maildir++ tree (INBOX at the root, .Sub.Folder folders in modified UTF-7) with a \
            dovecot-uidlist per folder holding Posta's UIDVALIDITY and UIDs, dovecot-keywords for keywords, a \
            subscriptions file, and each file's mtime set to its internal date: Dovecot serves it with the same UIDs. \
            mbox: one mboxrd file per mailbox (INBOX.mbox, Sub/Folder.mbox) with Status/X-Status/X-Keywords \
            flags and X-IMAPbase/X-UID, which Dovecot's mbox storage reads. DEST must be missing or an empty folder. See docs/export.md.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The account's address.") var account: String
    @Argument(help: "The folder to export into (created; must be empty if it exists).") var destination: String
    @Option(help: "maildir or mbox.") var format: ExportFormat
    @Option(help: "Export only this mailbox.") var folder: String?
    @Flag(help: "Print a JSON summary.") var json = false

    func run() async throws {
        let summary: ExportSummary
        do {
            summary = try await global.withSite { site in
                guard let found = try await site.directory.account(account) else {
                    throw DirectoryError.unknownAccount(account)
                }
                let exporter = AccountExporter(
                    store: site.store, encodeLevel: { String(decoding: ModifiedUTF7.encode($0), as: UTF8.self) })
                return try await exporter.export(
                    accountID: found.id, account: found.address, to: destination, format: format, folder: folder)
            }
        } catch let error as ExportError {
            throw CLIError(error.description)
        }
        if json { return try Output.json(summary) }
        print("exported \(summary.account) as \(summary.format.rawValue) into \(summary.destination)")
        Output.table(
            ["MAILBOX", "PATH", "UIDVALIDITY", "NEXT UID", "MESSAGES", "SIZE"],
            summary.folders.map {
                [
                    $0.name, $0.path.isEmpty ? "." : $0.path, "\($0.uidValidity)", "\($0.nextUID)", "\($0.messages)",
                    BackupCommand.size($0.bytes),
                ]
            })
        print("\(summary.messages) messages, \(BackupCommand.size(summary.bytes)) in \(summary.folders.count) mailboxes")
        for problem in summary.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
    }
}

extension ExportFormat: ExpressibleByArgument {}
