import Admin
import ArgumentParser
import Lists

/// `posta list pending LIST`: requests waiting for an address's confirmation or a moderator.
struct ListPendingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending", abstract: "Show a list's requests waiting for a confirmation or a moderator.")
    @OptionGroup var global: GlobalOptions
    @Argument var list: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let requests = try await global.withConsole { try await $0.pendingListRequests(as: $1, list: list) }
        if json { return try Output.json(requests) }
        Output.table(
            ["ID", "KIND", "ADDRESS", "HELD POST", "MADE", "EXPIRES"],
            requests.map {
                [
                    "\($0.id)", $0.kind.rawValue, $0.address, $0.heldID.map(String.init) ?? "", Output.date($0.createdAt),
                    Output.date($0.expiresAt),
                ]
            })
    }
}
