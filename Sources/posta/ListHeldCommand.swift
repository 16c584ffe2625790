import Admin
import ArgumentParser
import Core
import Lists

/// `posta list held …`: posts waiting for a moderator.
struct ListHeldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "held", abstract: "Show held posts and approve, reject or discard them.",
        subcommands: [Show.self, Decide.self, Forward.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List held posts.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Only this list.") var list: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let held = try await global.withConsole { try await $0.heldPosts(as: $1, list: list) }
            if json { return try Output.json(held) }
            Output.table(
                ["ID", "LIST", "FROM", "SUBJECT", "REASON", "HELD"],
                held.map { ["\($0.id)", $0.list, $0.sender, $0.subject, $0.reason, Output.date($0.heldAt)] })
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide", abstract: "approve, reject (the sender is told why) or discard held posts.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "approve, reject or discard.") var decision: ModeratorDecision
        @Argument(help: "Held post ids.") var ids: [Int64]
        @Option(help: "Why (told to the sender of a rejected post).") var reason: String = ""

        func run() async throws {
            let (decision, reason) = (decision, reason)
            try await global.withConsole { console, principal in
                for id in ids { try await console.decideHeldPost(as: principal, id: id, decision, reason: reason) }
            }
            let done =
                ["approve": "approved", "reject": "rejected", "discard": "discarded"][decision.rawValue] ?? decision.rawValue
            print("\(done) \(ids.count) held post\(ids.count == 1 ? "" : "s")")
        }
    }

    struct Forward: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a held post to someone for an opinion (it stays held).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The held post's id.") var id: Int64
        @Option(help: "Where to send it (repeat for more).") var to: [String]
        @Option(help: "A note above the post.") var note: String = ""

        func run() async throws {
            let (id, to, note) = (id, to, note)
            try await global.withConsole { console, principal in
                try await console.forwardHeldPost(as: principal, id: id, to: to, note: note)
            }
            print("forwarded held post \(id) to \(to.joined(separator: ", "))")
        }
    }
}
