import ArgumentParser
import Filter
import Foundation
import Queue
import Server

struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Inspect and manage messages held by the content filters.",
        subcommands: [List.self, Show.self, Release.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List held messages.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let entries = try await global.withSite { try await PostaServer.quarantine($0).list() }
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
            let (entry, path) = try await global.withSite { site in
                let store = PostaServer.quarantine(site)
                return (try await store.entry(id), store.path(of: id))
            }
            guard let entry else { throw QuarantineError.noSuchMessage(id) }
            if json { return try Output.json(entry) }
            print(
                "id \(entry.id)  from \(entry.reversePath.isEmpty ? "<>" : entry.reversePath)  size \(entry.size)  held \(Output.date(entry.heldAt))"
            )
            print("client \(entry.clientIP)  reason \(entry.reason)")
            print("to \(entry.recipients.joined(separator: ", "))")
            print("")
            let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(), as: UTF8.self)
            let shown = body ? text : String(text.components(separatedBy: "\r\n\r\n").first ?? "")
            print(shown.replacingOccurrences(of: "\r\n", with: "\n"))
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver a held message as if it had passed the filters.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            let queued = try await global.withSite { try await $0.queue.release(id, from: PostaServer.quarantine($0)) }
            guard let queued else { throw QuarantineError.noSuchMessage(id) }
            print("released \(id) (queued as \(queued))")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a held message for good.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            guard try await global.withSite({ try await PostaServer.quarantine($0).delete(id) }) else {
                throw QuarantineError.noSuchMessage(id)
            }
            print("deleted \(id)")
        }
    }
}

enum QuarantineError: Error, CustomStringConvertible {
    case noSuchMessage(String)

    var description: String {
        switch self {
        case .noSuchMessage(let id): "no quarantined message '\(id)'"
        }
    }
}
