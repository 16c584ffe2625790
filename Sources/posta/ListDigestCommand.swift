import Admin
import ArgumentParser
import Lists

/// `posta list digest send LIST`: the next digest issue now, with the posts waiting.
struct ListDigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "Send a list's digest.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the next digest issue now, with the posts waiting (to members whose mode is a digest).")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String

        func run() async throws {
            let sent = try await global.withConsole { try await $0.sendListDigest(as: $1, list: list) }
            if let sent {
                print("sent \(list) digest, vol \(sent.volume), issue \(sent.issue)")
            } else {
                print("no post is waiting for the \(list) digest")
            }
        }
    }
}
