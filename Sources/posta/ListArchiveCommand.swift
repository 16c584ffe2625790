import Admin
import ArgumentParser
import Foundation
import Lists

/// `posta list archive export LIST`: a list's archive as an mbox (mboxrd), oldest post first.
struct ListArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Export a list's archive.", subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the archive as an mbox (standard output, or --output).")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Option(help: "The mbox file to write.") var output: String?

        func run() async throws {
            let output = output
            let count = try await global.withConsole { console, principal in
                let chunks = try await console.listArchiveMbox(as: principal, list: list)
                let handle: FileHandle
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: nil) else {
                        throw ValidationError("cannot create \(output)")
                    }
                    handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
                } else {
                    handle = FileHandle.standardOutput
                }
                var count = 0
                for try await chunk in chunks where !chunk.isEmpty {
                    try handle.write(contentsOf: chunk)
                    count += 1
                }
                if output != nil { try handle.close() }
                return count
            }
            if let output { print("wrote \(count) posts to \(output)") }
        }
    }
}
