import Core
import Foundation
import Logging
import SQLKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `restoreSite` put in place.
public struct SiteRestoreSummary: Codable, Sendable, Equatable {
    public var backup: String
    public var createdAt: String
    /// `sqlite` or `postgres`.
    public var database: String
    public var files: Int
    public var bytes: Int64
    /// Paths the backup recorded as lost before it was made (not restored: it never had them).
    public var lost: [String]
}

extension BackupService {
    /// Restores a whole site from the backup at `path` (or the newest one in a folder of backups)
    /// into an empty data folder and an empty database, after which `posta serve` runs on them.
    ///
    /// Refused, with nothing written, unless the backup is complete and passes `verify` (files lost
    /// before the backup was made are reported, not refused), its database kind is the configured
    /// one, the data folder is empty or absent (entries named in `allowing`, such as the
    /// configuration file, excepted), and the database is empty (SQLite: no file; PostgreSQL: no
    /// table in the connection's schema).
    ///
    /// Order, for the rule that a row never names a file that is not there: every file is copied
    /// to its path under the data folder and synced (compared with the manifest's SHA-256 on the
    /// way), the mailbox folders the snapshot names are created (`cur/ new/ tmp/`, as
    /// `MailStore.provision` and `createMailbox` make them), directories are synced, and only then
    /// is the database put in place: the SQLite snapshot copied, synced and renamed to the
    /// configured path, or the PostgreSQL dump loaded by `pg_restore` in one transaction.
    public static func restoreSite(
        _ path: String, dataDirectory: String, databaseURL: DatabaseURL, allowing: Set<String> = [],
        pgRestore: String? = nil, logger: Logger = Logger(label: "posta.backup"), observe: BackupObserver? = nil
    ) async throws -> SiteRestoreSummary {
        let observe = observe ?? { _ in }
        let folder = try resolveBackup(trimmed(path))
        let data = trimmed(dataDirectory)
        guard let manifest = try BackupManifest.read(backup: folder) else { throw BackupError.incomplete(folder) }

        observe(.step("checking that the data folder and the database are empty"))
        switch (manifest.database.kind, databaseURL) {
        case ("sqlite", .sqlite(let file)):
            for suffix in ["", "-wal", "-journal"] where BackupFiles.exists(file + suffix) {
                throw BackupError.restoreRefused("the database \(file + suffix) exists")
            }
        case ("postgres", .postgres):
            try await requireEmpty(postgres: databaseURL, logger: logger)
        default:
            throw BackupError.restoreRefused(
                "the backup holds a \(manifest.database.kind) database but the site is configured for \(databaseURL.kind)"
            )
        }
        let present = BackupFiles.entries(data).filter { !allowing.contains($0) && !allowing.contains(data + "/" + $0) }
        guard present.isEmpty else {
            throw BackupError.restoreRefused(
                "the data folder \(data) is not empty (\(present.sorted().prefix(3).joined(separator: ", ")))")
        }

        observe(.step("verifying the backup"))
        let report = try await verify(folder, pgRestore: pgRestore, logger: logger, observe: observe)
        let problems = report.problems.filter { $0.problem != .lost }
        guard problems.isEmpty else {
            let shown = problems.prefix(3).map { "\($0.problem.rawValue) \($0.path)" }.joined(separator: ", ")
            throw BackupError.restoreRefused("the backup fails verification: \(problems.count) problem(s): \(shown)")
        }

        observe(.step("copying the files"))
        let snapshot = folder + "/" + manifest.database.path
        let folders = try await mailFolders(
            snapshot: snapshot, kind: manifest.database.kind, pgRestore: pgRestore, logger: logger)
        try await BackupFiles.blocking {
            try BackupService.makeRoot(data)
            var placer = RestorePlacer(backup: folder, data: data)
            try placer.place(manifest.files, mailFolders: folders, observe: observe)
        }

        observe(.step("restoring the database"))
        switch databaseURL {
        case .sqlite(let file):
            try await BackupFiles.blocking {
                try Self.placeSQLite(snapshot, at: file, expecting: manifest.database.sha256)
            }
        case .postgres(let host, let port, let user, let password, let name, let tls):
            let tool = try pgRestore ?? DatabaseSnapshot.pgTool("pg_restore", serverMajor: nil)
            var environment = ProcessInfo.processInfo.environment
            environment["PGSSLMODE"] = tls ? "require" : "disable"
            if let password { environment["PGPASSWORD"] = password }
            try await DatabaseSnapshot.run(
                tool,
                [
                    "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password",
                    "--host=\(host)", "--port=\(port)", "--username=\(user)", "--dbname=\(name)", snapshot,
                ], environment: environment, logger: logger)
        }
        return SiteRestoreSummary(
            backup: folder, createdAt: manifest.createdAt, database: manifest.database.kind, files: manifest.files.count,
            bytes: manifest.totals.bytes, lost: manifest.lost)
    }

    /// Refuses a PostgreSQL database that has a table in its current schema.
    static func requireEmpty(postgres url: DatabaseURL, logger: Logger) async throws {
        let database = try Database(.postgres(url: url.connectionString), poolSize: 1, logger: logger)
        do {
            let tables = try await database.withConnection { db in try await BackupFileSet.tables(in: db, dialect: .postgres) }
            await database.shutdown()
            guard tables.isEmpty else {
                throw BackupError.restoreRefused(
                    "the database is not empty (\(tables.count) table(s), e.g. \(tables.sorted().prefix(3).joined(separator: ", ")))"
                )
            }
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// The mailbox folders a snapshot names, relative to `mail/` (`example.org/alice`, `example.org/alice/.Sent`).
    static func mailFolders(snapshot: String, kind: String, pgRestore: String?, logger: Logger) async throws -> [String] {
        let query: SQLQueryString = """
            SELECT s.maildir AS maildir, b.folder AS folder FROM mailbox b JOIN store_account s ON s.account_id = b.account_id
            """
        let rows = try await withSnapshot(snapshot, kind: kind, pgRestore: pgRestore, logger: logger) { db in
            try await db.raw(query).all().map {
                (try $0.decode(column: "maildir", as: String.self), try $0.decode(column: "folder", as: String.self))
            }
        }
        var folders: [String] = []
        for (maildir, folder) in rows {
            let path = folder.isEmpty ? maildir : maildir + "/" + folder
            guard BackupFileSet.isContained(path) else { throw BackupError.unsafePath(set: "mail", path: path) }
            folders.append(path)
        }
        return folders
    }

    /// Opens a backup's database snapshot for reading: the SQLite file itself (writes refused), or
    /// the Store's and Directory's tables of a PostgreSQL dump loaded into memory (`PostgresDumpFiles`).
    static func withSnapshot<R: Sendable>(
        _ snapshot: String, kind: String, pgRestore: String?, logger: Logger,
        _ body: @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        switch kind {
        case "sqlite":
            return try await DatabaseSnapshot.withSQLiteFile(snapshot, logger: logger, body)
        case "postgres":
            let tool = try pgRestore ?? DatabaseSnapshot.pgTool("pg_restore", serverMajor: nil)
            return try await PostgresDumpFiles.withTables(
                PostgresDumpFiles.tables + ["account"], dump: snapshot, pgRestore: tool, logger: logger, body)
        default:
            throw BackupError.snapshot("unknown kind \(kind)")
        }
    }

    /// Copies the SQLite snapshot beside `file`, checks and syncs it, renames it into place, syncs the folder.
    static func placeSQLite(_ snapshot: String, at file: String, expecting sha256: String) throws {
        let slash = file.lastIndex(of: "/")
        let parent = slash.map { String(file[..<$0]) } ?? "."
        if !parent.isEmpty { try makeRoot(parent) }
        let temporary = file + ".restoring"
        unlink(temporary)
        guard let (copied, _) = try BackupFiles.copy(snapshot, to: temporary) else { throw BackupError.unreadable(snapshot) }
        guard copied == sha256 else {
            unlink(temporary)
            throw BackupError.restoreRefused("\(snapshot) changed while it was copied")
        }
        guard rename(temporary, file) == 0 else { throw BackupFiles.failure("rename", file) }
        try BackupFiles.syncDirectory(parent.isEmpty ? "/" : parent)
    }
}

extension DatabaseURL {
    /// `sqlite` or `postgres`, as a manifest names a database.
    fileprivate var kind: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }
}

/// Copies a backup's files into an empty data folder. Blocking; one owner.
struct RestorePlacer {
    let backup: String
    let data: String
    private var made: Set<String> = []
    private var touched: Set<String> = []

    init(backup: String, data: String) {
        self.backup = backup
        self.data = data
    }

    /// Copies every file (each compared with its manifest entry), makes the mailbox folders,
    /// then syncs every directory that got an entry, deepest first.
    mutating func place(_ files: [BackupManifest.FileEntry], mailFolders: [String], observe: BackupObserver)
        throws
    {
        var bytes: Int64 = 0
        var lastReport = ContinuousClock.now
        observe(.progress(files: 0, totalFiles: files.count, bytes: 0))
        for (index, entry) in files.enumerated() {
            guard entry.path.hasPrefix("data/"), BackupFileSet.isContained(entry.path) else {
                throw BackupError.unsafePath(set: entry.set, path: entry.path)
            }
            let relative = String(entry.path.dropFirst("data/".count))
            try makeDirectories(parentOf: relative)
            guard let (sha256, size) = try BackupFiles.copy(backup + "/" + entry.path, to: data + "/" + relative) else {
                throw BackupError.unreadable(backup + "/" + entry.path)
            }
            guard sha256 == entry.sha256, size == entry.size else {
                throw BackupError.restoreRefused("\(entry.path) changed while it was copied")
            }
            bytes += size
            if ContinuousClock.now - lastReport > .milliseconds(200) {
                lastReport = .now
                observe(.progress(files: index + 1, totalFiles: files.count, bytes: bytes))
            }
        }
        observe(.progress(files: files.count, totalFiles: files.count, bytes: bytes))
        for folder in mailFolders {
            for sub in ["cur", "new", "tmp"] { try makeDirectories(parentOf: "mail/\(folder)/\(sub)/x") }
            // A sub-folder (`.Sent`) carries the Maildir++ marker, as `createMailbox` leaves it.
            if let last = folder.split(separator: "/").last, last.hasPrefix(".") {
                let marker = data + "/mail/" + folder + "/maildirfolder"
                if !BackupFiles.exists(marker) {
                    let fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
                    guard fd >= 0 else { throw BackupFiles.failure("create", marker) }
                    close(fd)
                    touched.insert("mail/" + folder)
                }
            }
        }
        for directory in touched.sorted(by: { $0.count > $1.count }) {
            try BackupFiles.syncDirectory(data + "/" + directory)
        }
        try BackupFiles.syncDirectory(data)
    }

    /// `mkdir -p` of a relative path's parent under the data folder, remembering what got entries.
    private mutating func makeDirectories(parentOf path: String) throws {
        guard let slash = path.lastIndex(of: "/") else {
            touched.insert("")
            return
        }
        let parent = String(path[..<slash])
        touched.insert(parent)
        guard !made.contains(parent) else { return }
        var prefix = ""
        for part in parent.split(separator: "/") {
            let above = prefix
            prefix += prefix.isEmpty ? String(part) : "/" + part
            guard !made.contains(prefix) else { continue }
            if try BackupFiles.makeDirectory(data + "/" + prefix) { touched.insert(above) }
            made.insert(prefix)
        }
    }
}
