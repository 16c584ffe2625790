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
        subcommands: [Create.self, Verify.self, List.self, Restore.self])

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

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a whole site into an empty data folder, or messages of one account into its Restored folder.",
        discussion: """
            Without --account: the site's data folder (data_dir) must be empty (the configuration file excepted) \
            and so must its database (SQLite: no file; PostgreSQL: no table). The backup is verified, its files \
            are copied into the data folder and synced, then the database is put in place (the SQLite snapshot, \
            or pg_restore of the dump). Then run posta serve.

            With --account: the site keeps running. The account's messages in the backup that match every \
            criterion given are appended to its Restored folder (created if needed) with their flags and \
            internal date; nothing else changes. Running it again restores nothing twice. DATE is YYYY-MM-DD \
            (UTC) or an ISO 8601 time; --since includes it, --before excludes it.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A backup folder, or the folder holding backups (then the newest is used).") var backup: String
    @Option(help: "Restore messages of this account only, into its Restored folder.") var account: String?
    @Option(help: "Only messages of this mailbox (with --account).") var folder: String?
    @Option(help: "Only messages received on or after DATE (with --account).") var since: String?
    @Option(help: "Only messages received before DATE (with --account).") var before: String?
    @Option(help: "Only messages whose From contains TEXT (with --account).") var from: String?
    @Option(help: "Only messages whose Subject contains TEXT (with --account).") var subject: String?
    @Flag(help: "List the messages that would be restored; change nothing (with --account).") var dryRun = false
    @Option(help: "The pg_restore to run for a PostgreSQL backup.") var pgRestore: String?
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if account == nil, folder != nil || since != nil || before != nil || from != nil || subject != nil || dryRun {
            throw ValidationError("--folder, --since, --before, --from, --subject and --dry-run need --account")
        }
    }

    func run() async throws {
        do {
            if let account { try await restoreMessages(account) } else { try await restoreSite() }
        } catch let error as BackupError {
            throw CLIError(error.description)
        }
    }

    private func restoreSite() async throws {
        let config = try global.loadConfig()
        let display = BackupProgressDisplay(quiet: quiet)
        // The configuration file may live in the data folder (posta serve --dev puts it there).
        let environment = ProcessInfo.processInfo.environment
        let configPath = ConfigDiscovery.locate(
            explicit: global.config, environment: environment,
            currentDirectory: FileManager.default.currentDirectoryPath,
            fileExists: { FileManager.default.fileExists(atPath: $0) })
        let allowing = Set(configPath.map { [URL(fileURLWithPath: $0).standardizedFileURL.path] } ?? [])
        let summary: SiteRestoreSummary
        do {
            summary = try await BackupService.restoreSite(
                backup, dataDirectory: URL(fileURLWithPath: config.dataDirectory).standardizedFileURL.path,
                databaseURL: config.database.url, allowing: allowing, pgRestore: pgRestore, observe: display.observe)
        } catch {
            display.finish()
            throw error
        }
        display.finish()
        if json { return try Output.json(summary) }
        print("restored \(summary.backup) (\(summary.createdAt)) into \(config.dataDirectory)")
        print("  \(summary.files) files, \(BackupCommand.size(summary.bytes)); database \(summary.database)")
        if !summary.lost.isEmpty {
            print("  \(summary.lost.count) file(s) were already missing when the backup was made")
        }
    }

    private func restoreMessages(_ account: String) async throws {
        var selection = MessageSelection(account: account, folder: folder, from: from, subject: subject)
        selection.since = try since.map { try Self.date($0, option: "since") }
        selection.before = try before.map { try Self.date($0, option: "before") }
        let report = try await global.withSite { site in
            try await BackupService.restoreMessages(
                backup, selection: selection, store: site.store, directory: site.directory, dryRun: dryRun,
                pgRestore: pgRestore, logger: Logger(label: "posta.backup"))
        }
        if json { return try Output.json(report) }
        for item in report.messages {
            let date = Date(timeIntervalSince1970: TimeInterval(item.internalDate)).formatted(.iso8601)
            print("\(item.mailbox) \(item.uid)  \(date)  \(item.from ?? "-")  \(item.subject ?? "-")")
        }
        if report.dryRun {
            print("\(report.messages.count) message(s) would be restored into \(report.target) of \(report.account)")
        } else {
            print(
                "\(report.restored) message(s) restored into \(report.target) of \(report.account), \(report.alreadyRestored) already there"
            )
        }
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time, as seconds since 1970.
    static func date(_ text: String, option: String) throws -> Int64 {
        if let date = MessageSelection.date(text) { return date }
        throw ValidationError("--\(option): \(text) is not YYYY-MM-DD or an ISO 8601 time")
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
