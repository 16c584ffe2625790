import ArgumentParser
import Queue

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Inspect and manage the mail queue.",
        subcommands: [List.self, Show.self, Retry.self, Hold.self, Release.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List queued messages.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let entries = try await global.withSite { try await $0.queue.entries() }
            if json { return try Output.json(entries) }
            Output.table(
                ["ID", "RECEIVED", "SIZE", "FROM", "PENDING", "FAILED", "HELD"],
                entries.map { e in
                    [
                        e.id, Output.date(e.receivedAt), "\(e.size)", e.sender.isEmpty ? "<>" : e.sender,
                        "\(e.recipients.filter { $0.status == .pending }.count)",
                        "\(e.recipients.filter { $0.status == .failed }.count)", e.held ? "yes" : "no",
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one queued message and its deliveries.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let entry = try await global.withSite({ try await $0.queue.entry(id) }) else {
                throw QueueAdminError.noSuchMessage(id)
            }
            if json { return try Output.json(entry) }
            print(
                "id \(entry.id)  from \(entry.sender.isEmpty ? "<>" : entry.sender)  size \(entry.size)  received \(Output.date(entry.receivedAt))\(entry.held ? "  HELD" : "")"
            )
            Output.table(
                ["RECIPIENT", "DELIVER TO", "KIND", "STATUS", "ATTEMPTS", "NEXT", "LAST ERROR"],
                entry.recipients.map {
                    [
                        $0.recipient, $0.target, $0.kind.rawValue, $0.status.rawValue, "\($0.attempts)",
                        Output.date($0.nextAttemptAt), $0.lastError ?? "",
                    ]
                })
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Try a message's pending deliveries now.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            try await global.withSite { try await $0.queue.retry(id) }
            print("retrying \(id)")
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep a message queued without delivering it.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            try await global.withSite { try await $0.queue.setHeld(id, true) }
            print("held \(id)")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver a held message again.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            try await global.withSite { try await $0.queue.setHeld(id, false) }
            print("released \(id)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Remove a message from the queue without delivering it.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            try await global.withSite { try await $0.queue.delete(id) }
            print("deleted \(id)")
        }
    }
}
