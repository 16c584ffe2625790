import Core
import Foundation
import Logging

/// `posta backup verify`: whether a backup still holds what its manifest says.
public struct VerifyReport: Codable, Sendable, Equatable {
    public var backup: String
    public var createdAt: String
    public var database: String
    public var filesChecked: Int
    public var bytesChecked: Int64
    public var problems: [Problem]
    public var ok: Bool { problems.isEmpty }

    public struct Problem: Codable, Sendable, Equatable {
        public var path: String
        public var problem: Kind
        public var detail: String?

        public enum Kind: String, Codable, Sendable {
            /// In the manifest (or named by the snapshot), not in the backup.
            case missing
            /// Another size than the manifest's.
            case size
            /// Same size, other bytes.
            case checksum
            /// Named by the snapshot but not listed in the manifest.
            case unlisted
            /// Missing from the data folder when the backup was made (`BackupManifest.lost`).
            case lost
            /// The database snapshot does not open or fails its check.
            case database
        }
    }
}

extension BackupService {
    /// Checks the backup at `path`, or the newest backup when `path` is a folder of backups:
    /// every file (the snapshot included) is re-read and its SHA-256 compared with the manifest's;
    /// an SQLite snapshot must pass `PRAGMA integrity_check` (https://sqlite.org/pragma.html#pragma_integrity_check),
    /// a PostgreSQL dump must be readable by `pg_restore`; and every file the snapshot names must be
    /// in the backup. Throws only when there is no backup to check; what is wrong with one is in
    /// the report's `problems`.
    public static func verify(
        _ path: String, pgRestore: String? = nil, logger: Logger = Logger(label: "posta.backup"),
        observe: BackupObserver? = nil
    ) async throws -> VerifyReport {
        let observe = observe ?? { _ in }
        let folder = try resolveBackup(trimmed(path))
        guard let manifest = try BackupManifest.read(backup: folder) else { throw BackupError.incomplete(folder) }
        let initial = VerifyReport(
            backup: folder, createdAt: manifest.createdAt, database: manifest.database.kind, filesChecked: 0,
            bytesChecked: 0, problems: [])

        observe(.step("checking files"))
        let entries =
            [
                BackupManifest.FileEntry(
                    path: manifest.database.path, size: manifest.database.size, sha256: manifest.database.sha256, set: "db")
            ]
            + manifest.files
        var report = try await BackupFiles.blocking { () throws -> VerifyReport in
            var report = initial
            var lastReport = ContinuousClock.now
            observe(.progress(files: 0, totalFiles: entries.count, bytes: 0))
            for (index, entry) in entries.enumerated() {
                guard BackupFileSet.isContained(entry.path) else {
                    report.problems.append(.init(path: entry.path, problem: .missing, detail: "not a path inside the backup"))
                    continue
                }
                if let (sha256, size) = try? BackupFiles.hash(folder + "/" + entry.path) {
                    report.filesChecked += 1
                    report.bytesChecked += size
                    if size != entry.size {
                        report.problems.append(
                            .init(path: entry.path, problem: .size, detail: "\(size) bytes, expected \(entry.size)"))
                    } else if sha256 != entry.sha256 {
                        report.problems.append(.init(path: entry.path, problem: .checksum, detail: "sha256 \(sha256)"))
                    }
                } else {
                    report.problems.append(.init(path: entry.path, problem: .missing, detail: nil))
                }
                if ContinuousClock.now - lastReport > .milliseconds(200) {
                    lastReport = .now
                    observe(.progress(files: index + 1, totalFiles: entries.count, bytes: report.bytesChecked))
                }
            }
            observe(.progress(files: entries.count, totalFiles: entries.count, bytes: report.bytesChecked))
            return report
        }
        for path in manifest.lost {
            report.problems.append(
                .init(path: path, problem: .lost, detail: "missing from the data folder when the backup was made"))
        }

        observe(.step("checking the database snapshot"))
        let snapshot = folder + "/" + manifest.database.path
        var named: [BackupFileSet.Named]?
        do {
            switch manifest.database.kind {
            case "sqlite":
                let (integrity, files) = try await DatabaseSnapshot.withSQLiteFile(snapshot, logger: logger) { db in
                    let lines = try await db.raw("PRAGMA integrity_check").all().map {
                        try $0.decode(column: "integrity_check", as: String.self)
                    }
                    return (lines, try await BackupFileSet.named(in: db, dialect: .sqlite))
                }
                if integrity != ["ok"] {
                    report.problems.append(
                        .init(
                            path: manifest.database.path, problem: .database, detail: integrity.prefix(5).joined(separator: "; "))
                    )
                }
                named = files
            case "postgres":
                let tool = try pgRestore ?? DatabaseSnapshot.pgTool("pg_restore", serverMajor: nil)
                try await DatabaseSnapshot.run(tool, ["--list", snapshot], logger: logger)
                named = try await PostgresDumpFiles.named(dump: snapshot, pgRestore: tool, logger: logger)
            default:
                throw BackupError.snapshot("unknown kind \(manifest.database.kind)")
            }
        } catch {
            report.problems.append(.init(path: manifest.database.path, problem: .database, detail: "\(error)"))
        }
        // Every file the snapshot names is in the backup.
        let listed = Set(manifest.files.map(\.path))
        let lost = Set(manifest.lost)
        for file in named ?? [] where !listed.contains(file.backupPath) && !lost.contains(file.backupPath) {
            let kind: VerifyReport.Problem.Kind = BackupFiles.exists(folder + "/" + file.backupPath) ? .unlisted : .missing
            report.problems.append(.init(path: file.backupPath, problem: kind, detail: "named by the snapshot (\(file.set))"))
        }
        return report
    }

    /// `path` itself when it is a backup (has a manifest, or looks like one); else the newest
    /// backup in it when it is a folder of backups.
    static func resolveBackup(_ path: String) throws -> String {
        guard BackupFiles.isDirectory(path) else { throw BackupError.notABackup(path) }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if BackupFiles.exists(path + "/" + BackupManifest.fileName) || isBackupName(name)
            || BackupFiles.isDirectory(path + "/db")
        {
            return path
        }
        guard let newest = BackupFiles.entries(path).filter(isBackupName).sorted(by: nameOrder).last else {
            throw BackupError.notABackup(path)
        }
        return path + "/" + newest
    }
}

extension BackupService {
    /// One backup under a root, as `posta backup list` shows it.
    public struct Listing: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var createdAt: String
        public var complete: Bool
        public var database: String?
        public var files: Int
        /// What the backup holds (its files' sizes plus the snapshot's).
        public var bytes: Int64
        /// New in this backup (copied, or linked from the data folder) rather than linked from the one
        /// before: what deleting the backup before it would not free.
        public var newBytes: Int64?
        public var previous: String?
    }

    /// The backups under `root`, oldest first; incomplete ones (no manifest) counted from disk.
    public static func list(_ root: String) throws -> [Listing] {
        let root = trimmed(root)
        guard BackupFiles.isDirectory(root) else { throw BackupError.notABackup(root) }
        return BackupFiles.entries(root).filter(isBackupName).sorted(by: nameOrder).map { name in
            let folder = root + "/" + name
            if let manifest = try? BackupManifest.read(backup: folder) {
                return Listing(
                    name: name, path: folder, createdAt: manifest.createdAt, complete: true,
                    database: manifest.database.kind, files: manifest.totals.files,
                    bytes: manifest.totals.bytes + manifest.database.size,
                    newBytes: manifest.totals.bytes - manifest.totals.linkedFromPreviousBytes + manifest.database.size,
                    previous: manifest.previous)
            }
            let usage = BackupFiles.usage(folder)
            return Listing(
                name: name, path: folder, createdAt: createdAt(ofName: name), complete: false, database: nil,
                files: usage.files, bytes: usage.bytes, newBytes: nil, previous: nil)
        }
    }

    /// `2026-12-06T03:45:12Z` from `20261206T034512Z[-n]`.
    static func createdAt(ofName name: String) -> String {
        let d = Array(name)
        return String(d[0..<4]) + "-" + String(d[4..<6]) + "-" + String(d[6..<8]) + "T" + String(d[9..<11]) + ":"
            + String(d[11..<13]) + ":" + String(d[13..<15]) + "Z"
    }

    /// Chronological order of backup names: by time, then by the `-n` of backups started in one second.
    static func nameOrder(_ a: String, _ b: String) -> Bool {
        func key(_ name: String) -> (String, Int) {
            (String(name.prefix(16)), name.count > 17 ? Int(name.dropFirst(17)) ?? 0 : 1)
        }
        return key(a) < key(b)
    }
}
