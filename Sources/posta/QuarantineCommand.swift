import Admin
import ArgumentParser
import Filter
import Foundation

/// `posta quarantine`: the operations of `AdminConsole+Quarantine.swift` (permission-checked and
/// audited as the command-line principal).
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Inspect and manage messages held by the content filters.",
        subcommands: [List.self, Show.self, Release.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List held messages.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let entries = try await global.withConsole { console, principal in
                var all: [QuarantineEntry] = []
                var cursor: String?
                repeat {
                    let page = try await console.quarantineEntries(
                        as: principal, QuarantineFilter(cursor: cursor, limit: 500))
                    all += page.items
                    cursor = page.next
                } while cursor != nil
                // Oldest first, as the command always listed them.
                return Array(all.reversed())
            }
            if json { return try Output.json(entries) }
            Output.table(
                ["ID", "HELD", "SIZE", "FROM", "RECIPIENTS", "REASON"],
                entries.map { e in
                    [
                        e.id, Output.date(e.heldAt), "\(e.size)", e.reversePath.isEmpty ? "<>" : e.reversePath,
                        e.recipients.joined(separator: ","), e.reason,
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a held message: why, its envelope and its header.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print the whole message, not only its header.") var body = false

        func run() async throws {
            let (message, source) = try await global.withConsole { console, principal in
                let message = try await QuarantineCommand.found(id) {
                    try await console.quarantinedMessage(as: principal, id: id)
                }
                let source = body ? try await console.quarantinedMessageSource(as: principal, id: id) : nil
                return (message, source)
            }
            let entry = message.entry
            if json { return try Output.json(entry) }
            print(
                "id \(entry.id)  from \(entry.reversePath.isEmpty ? "<>" : entry.reversePath)  size \(entry.size)  held \(Output.date(entry.heldAt))"
            )
            print("client \(entry.clientIP)  reason \(entry.reason)")
            print("to \(entry.recipients.joined(separator: ", "))")
            print("")
            let shown = source ?? message.header.trimmingSuffix("\r\n")
            print(shown.replacingOccurrences(of: "\r\n", with: "\n"))
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver a held message as if it had passed the filters.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            let queued = try await global.withConsole { console, principal in
                try await QuarantineCommand.found(id) { try await console.releaseQuarantined(as: principal, id: id) }
            }
            print("released \(id) (queued as \(queued))")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a held message for good.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            try await global.withConsole { console, principal in
                try await QuarantineCommand.found(id) { try await console.deleteQuarantined(as: principal, id: id) }
            }
            print("deleted \(id)")
        }
    }

    /// `body`, with the console's "not found" said as the command always said it.
    static func found<R>(_ id: String, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch AdminError.notFound {
            throw CLIError("no quarantined message '\(id)'")
        }
    }
}

extension String {
    /// Without one trailing `suffix`.
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
