import Admin
import ArgumentParser
import Lists

/// `posta list sync LIST`: the members a list takes from the directory, brought in line now
/// (posts and the ten-minute housekeeping round do it too).
struct ListSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Bring a list's members from the directory (--members-from) in line now.")
    @OptionGroup var global: GlobalOptions
    @Argument var list: String

    func run() async throws {
        let (added, removed) = try await global.withConsole { try await $0.syncListMembers(as: $1, list: list) }
        for address in added { print("added \(address)") }
        for address in removed { print("removed \(address)") }
        print("\(list): \(added.count) added, \(removed.count) removed")
    }
}
