import Core
import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit

/// One consistent copy of the database, and the files it names, read from that same copy.
///
/// - SQLite: `VACUUM INTO` (https://sqlite.org/lang_vacuum.html#vacuuminto) writes the database
///   as one read transaction sees it — safe beside the server's writers in WAL mode, which it does
///   not block. The copy is a plain rollback-journal database; the files are listed by opening it.
/// - PostgreSQL: one `REPEATABLE READ` transaction exports its snapshot (`pg_export_snapshot()`,
///   https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-SNAPSHOT-SYNCHRONIZATION),
///   `pg_dump --snapshot` dumps exactly that state, and the files are listed in the same
///   transaction, which stays open until both are done.
struct DatabaseSnapshot: Sendable {
    /// What `take` made: the snapshot's path relative to the backup, and the files it names.
    struct Taken: Sendable {
        let entry: BackupManifest.DatabaseEntry
        let named: [BackupFileSet.Named]
    }

    let database: Database
    let url: DatabaseURL
    /// `pg_dump` to run; found from the server's version when nil.
    let pgDump: String?
    let logger: Logger

    static let sqlitePath = "db/posta.db"
    static let postgresPath = "db/posta.dump"

    /// Writes the snapshot under `backup` (replacing an earlier attempt) and lists its files.
    func take(into backup: String) async throws -> Taken {
        switch database.dialect {
        case .sqlite: try await sqlite(into: backup)
        case .postgres: try await postgres(into: backup)
        }
    }

    /// The files the live database names now: no snapshot, for copying ahead of one.
    func namedNow() async throws -> [BackupFileSet.Named] {
        let dialect = database.dialect
        return try await database.withConnection { db in try await BackupFileSet.named(in: db, dialect: dialect) }
    }

    private func sqlite(into backup: String) async throws -> Taken {
        let path = backup + "/" + Self.sqlitePath
        // VACUUM INTO refuses an existing non-empty file (an earlier round's snapshot).
        unlink(path)
        do {
            try await database.withConnection { db in try await db.raw("VACUUM INTO \(bind: path)").run() }
        } catch {
            throw BackupError.snapshot(String(reflecting: error))
        }
        let (named, version) = try await Self.withSQLiteFile(path, logger: logger) { db in
            let version = try await db.raw("SELECT sqlite_version() AS v").first(decodingColumn: "v", as: String.self) ?? ""
            return (try await BackupFileSet.named(in: db, dialect: .sqlite), version)
        }
        try BackupFiles.syncFile(path)
        guard let (sha256, size) = try BackupFiles.hash(path) else { throw BackupError.snapshot("\(path) vanished") }
        return Taken(
            entry: .init(
                kind: "sqlite", path: Self.sqlitePath, format: "sqlite3", size: size, sha256: sha256, serverVersion: version),
            named: named)
    }

    /// Opens an SQLite file on its own connection (none of the pool's pragmas: it must stay as it is,
    /// in rollback-journal mode, so reading it leaves no `-wal` beside it) with writes refused.
    static func withSQLiteFile<R: Sendable>(
        _ path: String, logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: NIOThreadPool.singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        ).get()
        do {
            let db = connection.sql()
            try await db.raw("PRAGMA query_only = ON").run()
            let result = try await body(db)
            try await connection.close().get()
            return result
        } catch {
            try? await connection.close().get()
            throw error
        }
    }

    private func postgres(into backup: String) async throws -> Taken {
        let path = backup + "/" + Self.postgresPath
        guard case .postgres(let host, let port, let user, let password, let name, let tls) = url else {
            throw BackupError.snapshot("the database is PostgreSQL but the configured URL is not")
        }
        let explicit = pgDump
        let logger = logger
        let (named, version) = try await database.withConnection { db in
            try await db.raw("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").run()
            do {
                let snapshot = try await db.raw("SELECT pg_export_snapshot() AS s").first(decodingColumn: "s", as: String.self)
                let version = try await db.raw("SHOW server_version").first(decodingColumn: "server_version", as: String.self)
                let number = try await db.raw("SHOW server_version_num").first(
                    decodingColumn: "server_version_num", as: String.self)
                guard let snapshot, let version, let major = number.flatMap(Int.init).map({ $0 / 10000 }) else {
                    throw BackupError.snapshot("the server did not export a snapshot")
                }
                let tool = try explicit ?? Self.pgTool("pg_dump", serverMajor: major)
                var environment = ProcessInfo.processInfo.environment
                environment["PGSSLMODE"] = tls ? "require" : "disable"
                if let password { environment["PGPASSWORD"] = password }
                try await Self.run(
                    tool,
                    [
                        "--format=custom", "--file=\(path)", "--snapshot=\(snapshot)", "--no-password", "--host=\(host)",
                        "--port=\(port)", "--username=\(user)", "--dbname=\(name)",
                    ], environment: environment, logger: logger)
                let named = try await BackupFileSet.named(in: db, dialect: .postgres)
                try await db.raw("COMMIT").run()
                return (named, version)
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
        try BackupFiles.syncFile(path)
        guard let (sha256, size) = try BackupFiles.hash(path) else { throw BackupError.snapshot("\(path) vanished") }
        return Taken(
            entry: .init(
                kind: "postgres", path: Self.postgresPath, format: "pg_dump-custom", size: size, sha256: sha256,
                serverVersion: version),
            named: named)
    }

    /// `pg_dump`/`pg_restore` of the server's major version (`/usr/lib/postgresql/<major>/bin`, the
    /// Debian layout), else the oldest installed one that is newer (pg_dump reads older servers,
    /// not newer ones), else the one on `PATH`.
    static func pgTool(_ name: String, serverMajor: Int?) throws -> String {
        let base = "/usr/lib/postgresql"
        let installed = BackupFiles.entries(base).compactMap { Int($0) }.sorted()
            .filter { BackupFiles.exists("\(base)/\($0)/bin/\(name)") }
        if let major = serverMajor {
            if let match = installed.first(where: { $0 >= major }) { return "\(base)/\(match)/bin/\(name)" }
        } else if let newest = installed.last {
            return "\(base)/\(newest)/bin/\(name)"
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw BackupError.toolMissing(
            "\(name) \(serverMajor.map { "for PostgreSQL \($0) " } ?? "")not found (install postgresql-client, or name it with --\(name.replacingOccurrences(of: "_", with: "-")))"
        )
    }

    /// Runs a tool to its end; a non-zero exit is an error carrying its standard error output.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil, logger: Logger)
        async throws
    {
        let output = try await BackupFiles.blocking { () throws -> (Int32, String) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            if let environment { process.environment = environment }
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        guard output.0 == 0 else {
            let name = tool.split(separator: "/").last.map(String.init) ?? tool
            throw BackupError.snapshot(
                "\(name) exited with \(output.0): \(output.1.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        logger.debug("ran \(tool)")
    }
}
