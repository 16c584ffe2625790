import ArgumentParser
import Backup
import Core
import Foundation
import Logging

/// `posta backup`: online backups (database snapshot + message files, incremental by hard links),
/// their verification and listing. The work is `Backup.BackupService`'s; this only shows it.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Make, verify and list backups of the site while it runs.",
        subcommands: [Create.self, Verify.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up the database and the mail files into a new folder under DEST.",
            discussion: """
                Makes DEST/<yyyyMMddTHHmmssZ>/ with a consistent database snapshot (SQLite VACUUM INTO, or \
                pg_dump for PostgreSQL) and every message, queue, quarantine and list file it names. Files the \
                previous complete backup in DEST holds are hard-linked from it; the others are hard-linked from \
                the data folder when DEST is on its file system (unless --copy), else copied. manifest.json, with \
                each file's SHA-256, is written last: a backup without it was interrupted. The server keeps running.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The folder that holds the backups (created if needed).") var destination: String
        @Flag(help: "Copy files that are not in the previous backup instead of hard-linking them from the data folder.")
        var copy = false
        @Option(help: "The pg_dump to run (PostgreSQL; default: the one of the server's version).") var pgDump: String?
        @Flag(help: "No progress on standard error.") var quiet = false
        @Flag(help: "Print a JSON summary.") var json = false

        func run() async throws {
            let display = BackupProgressDisplay(quiet: quiet)
            let summary = try await global.withSite { site in
                let service = BackupService(
                    database: site.database, databaseURL: site.config.database.url, dataDirectory: site.config.dataDirectory,
                    nodeID: site.config.nodeID, logger: Logger(label: "posta.backup"))
                var options = BackupService.Options(copyOnly: copy, pgDump: pgDump)
                options.maximumRounds = 8
                return try await service.create(root: destination, options: options, observe: display.observe)
            }
            display.finish()
            if json {
                try Output.json(summary)
            } else {
                print("backup \(summary.path) complete")
                print(
                    "  \(summary.files) files, \(BackupCommand.size(summary.bytes)); database \(summary.database) \(BackupCommand.size(summary.databaseBytes))"
                )
                print(
                    "  copied \(summary.copiedFiles) (\(BackupCommand.size(summary.copiedBytes))), linked \(summary.linkedFromPrevious) from \(summary.previous ?? "no previous backup"), \(summary.linkedFromData) from the data folder"
                )
                print("  \(summary.rounds) snapshot round(s), \(String(format: "%.1f", summary.seconds)) s")
            }
            if !summary.lost.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        "warning: \(summary.lost.count) file(s) named by the database were missing from the data folder:\n"
                            .utf8))
                for path in summary.lost.prefix(20) { FileHandle.standardError.write(Data("  \(path)\n".utf8)) }
                throw ExitCode(1)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a backup against its manifest.",
            discussion: """
                Re-reads every file and compares its SHA-256 with the manifest, checks that the database snapshot \
                opens (SQLite: PRAGMA integrity_check; PostgreSQL: pg_restore --list) and that every file an SQLite \
                snapshot names is in the backup. Each problem is printed with its path; the exit status is 1 when \
                there is any. PATH is one backup, or a folder of backups (then the newest is checked).
                """)
        @Argument(help: "A backup folder, or the folder holding backups.") var path: String
        @Option(help: "The pg_restore to run for a PostgreSQL dump.") var pgRestore: String?
        @Flag(help: "No progress on standard error.") var quiet = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let display = BackupProgressDisplay(quiet: quiet)
            let report: VerifyReport
            do {
                report = try await BackupService.verify(path, pgRestore: pgRestore, observe: display.observe)
            } catch let error as BackupError {
                display.finish()
                throw CLIError(error.description)
            }
            display.finish()
            if json {
                try Output.json(report)
            } else {
                for problem in report.problems {
                    print("\(problem.problem.rawValue): \(problem.path)\(problem.detail.map { " (\($0))" } ?? "")")
                }
                print(
                    "\(report.backup): \(report.ok ? "ok" : "\(report.problems.count) problem(s)"), \(report.filesChecked) files, \(BackupCommand.size(report.bytesChecked)) checked"
                )
            }
            if !report.ok { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the backups in a folder: date, size, files, complete or not.")
        @Argument(help: "The folder holding backups.") var root: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let listings: [BackupService.Listing]
            do {
                listings = try BackupService.list(root)
            } catch let error as BackupError {
                throw CLIError(error.description)
            }
            if json { return try Output.json(listings) }
            Output.table(
                ["NAME", "CREATED", "STATE", "FILES", "SIZE", "NEW"],
                listings.map {
                    [
                        $0.name, $0.createdAt, $0.complete ? "complete" : "incomplete", "\($0.files)",
                        BackupCommand.size($0.bytes), $0.newBytes.map { BackupCommand.size($0) } ?? "-",
                    ]
                })
        }
    }
}

extension BackupCommand {
    /// Bytes for people: `512 B`, `14.5 MiB`, `1.2 GiB` (binary multiples, as `du -h`).
    static func size(_ bytes: Int64) -> String {
        var value = Double(bytes)
        for unit in ["B", "KiB", "MiB", "GiB", "TiB"] {
            if value < 1024 || unit == "TiB" {
                return unit == "B" ? "\(bytes) B" : String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + unit
            }
            value /= 1024
        }
        return "\(bytes) B"
    }
}

/// Progress of a backup or verification on standard error: a bar with files, bytes and an
/// estimate, redrawn on one line on a terminal; when standard error is not a terminal, each
/// step and then a plain line at most every 10 seconds.
final class BackupProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal = isatty(STDERR_FILENO) != 0
    private let quiet: Bool
    private var stepStarted = Date()
    private var lastPlain = Date.distantPast
    private var drawn = false

    init(quiet: Bool) { self.quiet = quiet }

    var observe: BackupObserver { { [self] event in self.show(event) } }

    private func show(_ event: BackupEvent) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .step(let text):
            endLine()
            stepStarted = Date()
            write("\(text)\n")
        case .progress(let files, let total, let bytes):
            guard total > 0 else { return }
            let elapsed = Date().timeIntervalSince(stepStarted)
            let fraction = Double(files) / Double(total)
            let eta = fraction > 0 && files < total ? " ETA \(Int(elapsed / fraction - elapsed))s" : ""
            let counts = "\(files)/\(total) files, \(BackupCommand.size(bytes))\(eta)"
            if terminal {
                let width = 30
                let bar = String(repeating: "#", count: Int(fraction * Double(width))).padding(
                    toLength: width, withPad: " ", startingAt: 0)
                write("\r[\(bar)] \(counts)   ")
                drawn = true
            } else if files == total || Date().timeIntervalSince(lastPlain) >= 10 {
                lastPlain = Date()
                write("  \(counts)\n")
            }
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        endLine()
    }

    private func endLine() {
        if drawn { write("\n") }
        drawn = false
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
