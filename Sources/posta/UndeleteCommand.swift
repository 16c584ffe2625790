import Admin
import ArgumentParser
import Core
import Foundation
import Server
import Store

/// `posta undelete`: bring back expunged messages and deleted folders kept for
/// `[store] undelete_retention` (docs/undelete.md). `list` and `restore` are the operations of
/// `AdminConsole+Undelete.swift` (permission-checked and audited as the command-line principal).
struct UndeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undelete", abstract: "List and restore deleted messages and folders kept for undelete.",
        subcommands: [List.self, Restore.self, Purge.self])

    /// Which kept messages a command takes.
    struct Selection: ParsableArguments {
        @Argument(help: "The account's address.") var account: String
        @Option(help: "Only messages deleted from this folder (mailbox name).") var folder: String?
        @Option(help: "Only messages deleted on or after this day (YYYY-MM-DD, UTC) or time (ISO 8601).") var since: String?
        @Option(name: .customLong("id"), help: "Only these kept messages (ids from 'list'); repeatable.") var ids: [Int64] = []

        var isEmpty: Bool { folder == nil && since == nil && ids.isEmpty }

        func filter() throws -> DeletedMessageFilter {
            DeletedMessageFilter(mailbox: folder, since: try since.map(Self.parseDate), ids: ids.isEmpty ? nil : ids)
        }

        static func parseDate(_ text: String) throws -> Int64 {
            if let date = ISO8601DateFormatter().date(from: text) { return Int64(date.timeIntervalSince1970) }
            let day = ISO8601DateFormatter()
            day.formatOptions = [.withFullDate]
            guard let date = day.date(from: text) else { throw CLIError("--since: expected YYYY-MM-DD or an ISO 8601 time") }
            return Int64(date.timeIntervalSince1970)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an account's deleted messages that can be restored.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let listed = try await global.withConsole { console, principal in
                try await console.keptMessages(as: principal, address: selection.account, try selection.filter())
            }
            // Oldest deletion first, as the command always listed them.
            let kept = Array(listed.items.reversed())
            if listed.truncated {
                FileHandle.standardError.write(
                    Data("only the newest \(kept.count) are listed: narrow with --folder or --since\n".utf8))
            }
            if json { return try Output.json(kept.map(\.message)) }
            Output.table(
                ["ID", "FOLDER", "DELETED", "HOW", "SIZE", "FLAGS", "SUBJECT"],
                kept.map {
                    [
                        String($0.message.id), $0.message.mailboxName, Output.date($0.message.deletedAt),
                        $0.message.folderDeleted ? "folder" : "expunge", String($0.message.size),
                        $0.message.flags.joined(separator: " "), $0.subject,
                    ]
                })
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put deleted messages back into their folders (re-created if deleted), with their flags and new UIDs.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Restore every kept message of the account (needed when no other selection is given).") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard all || !selection.isEmpty else { throw CLIError("give --folder, --since, --id or --all") }
            let restored = try await global.withConsole { console, principal in
                try await console.restoreKept(as: principal, address: selection.account, try selection.filter())
            }
            if json { return try Output.json(restored) }
            Output.table(
                ["ID", "FOLDER", "UID"], restored.map { [String($0.id), $0.mailboxName, String($0.uid)] })
            print("\(restored.count) message(s) restored")
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove for good the deleted messages older than the retention (what 'posta serve' does periodically).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Keep this long instead of [store] undelete_retention (\"0\" removes all).") var retention: String?

        func run() async throws {
            var seconds: Int64?
            if let retention {
                guard let parsed = Int64(retention).map(ConfigDuration.init(seconds:)) ?? ConfigDuration(parsing: retention),
                    parsed.seconds >= 0
                else { throw CLIError("--retention: expected \(ConfigDuration.expectedForm)") }
                seconds = parsed.seconds
            }
            let purged = try await global.withSite { site in
                try await site.store.purgeDeleted(retention: seconds ?? site.store.undeleteRetention)
            }
            print("\(purged) message(s) purged")
        }
    }
}
