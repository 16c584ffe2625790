import ArgumentParser
import Server

/// The `posta` command: the server and its admin tool in one binary.
@main
struct Posta: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posta",
        abstract: "Posta: a complete mail server (SMTP, IMAP, POP3, policy, directory) in one program.",
        subcommands: [
            Serve.self, ConfigCommand.self, DomainCommand.self, UserCommand.self, AliasCommand.self, ResolveCommand.self,
            QueueCommand.self, QuarantineCommand.self, PolicyCommand.self, FilterCommand.self, DKIMCommand.self,
            DMARCCommand.self, DNSCommand.self, MTASTSCommand.self, TLSRPTCommand.self, AbuseCommand.self,
        ])

    /// ArgumentParser's own `main`, with the umask set before any command creates a file (`FileModes`).
    static func main() async {
        FileModes.restrictUmask()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
