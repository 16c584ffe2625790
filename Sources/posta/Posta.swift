import ArgumentParser
import Foundation
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
            DMARCCommand.self, DNSCommand.self, MTASTSCommand.self, TLSRPTCommand.self, SummaryCommand.self, CheckCommand.self,
            AbuseCommand.self, AdminCommand.self, AuditCommand.self, ListCommand.self, DirectoryCommand.self, SieveCommand.self,
            BackupCommand.self,
            ClusterCommand.self,
            UndeleteCommand.self,
            ImportCommand.self,
            ExportCommand.self,
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
            // `posta check …` speaks the plugin protocol even when its options do not parse: one
            // UNKNOWN line, exit 3 (Monitoring Plugins guidelines, "Plugin Return Codes").
            if CommandLine.arguments.dropFirst().first == "check", exitCode(for: error).rawValue != 0 {
                print(
                    "POSTA CHECK UNKNOWN - " + fullMessage(for: error).split(whereSeparator: \.isNewline).joined(separator: " "))
                Foundation.exit(3)
            }
            exit(withError: error)
        }
    }
}
