import Foundation

/// What one backup holds, written last (`manifest.json` in the backup's folder): a backup
/// without it was interrupted and is incomplete — never listed as complete, never used as the
/// base of an incremental one, and refused by `verify`.
///
/// Paths are relative to the backup's folder and use `/`: the database snapshot under `db/`,
/// the files the snapshot names under `data/`, laid out as in the site's data folder
/// (`data/mail/<domain>/<user>/cur/…`, `data/spool/msg/…`), so restoring is copying `data/`
/// into an empty data folder and loading the snapshot.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// Bumped when a reader of an older format could misread a newer manifest.
    public static let currentFormat = 1
    public static let fileName = "manifest.json"

    public var format: Int
    /// ISO 8601, UTC, second precision: when the backup started.
    public var createdAt: String
    public var createdAtUnix: Int64
    public var postaVersion: String
    /// The node that made it (`node_id`).
    public var nodeID: String
    public var database: DatabaseEntry
    /// The folder name of the complete backup this one hard-linked unchanged files from.
    public var previous: String?
    /// Snapshots taken until every file they named was in the backup (see `BackupService.create`).
    public var rounds: Int
    /// Each file set (`mail`, `spool`, …) with its folder in the data folder.
    public var fileSets: [FileSetEntry]
    /// Every file the snapshot names, sorted by path.
    public var files: [FileEntry]
    /// Paths the snapshot names whose files were already missing from the data folder in two
    /// snapshots in a row: lost before the backup, so not in it. Normally empty.
    public var lost: [String]
    public var totals: Totals

    /// The database snapshot: `db/posta.db` (SQLite, from `VACUUM INTO`) or `db/posta.dump`
    /// (PostgreSQL, `pg_dump --format=custom`).
    public struct DatabaseEntry: Codable, Sendable, Equatable {
        /// `sqlite` or `postgres`.
        public var kind: String
        public var path: String
        /// `sqlite3` or `pg_dump-custom`.
        public var format: String
        public var size: Int64
        public var sha256: String
        /// The server's version (PostgreSQL) or the library's (SQLite).
        public var serverVersion: String
    }

    public struct FileSetEntry: Codable, Sendable, Equatable {
        public var name: String
        /// Relative to the data folder (and, under `data/`, to the backup's folder).
        public var folder: String
        public var files: Int
    }

    public struct FileEntry: Codable, Sendable, Equatable {
        public var path: String
        public var size: Int64
        public var sha256: String
        /// The file set it belongs to.
        public var set: String
    }

    public struct Totals: Codable, Sendable, Equatable {
        /// Files under `data/` (the database snapshot not counted).
        public var files: Int
        public var bytes: Int64
        /// Written anew into this backup.
        public var copiedFiles: Int
        public var copiedBytes: Int64
        /// Hard links to the previous backup's copy of the same file.
        public var linkedFromPrevious: Int
        public var linkedFromPreviousBytes: Int64
        /// Hard links to the data folder's file (backup on the same file system).
        public var linkedFromData: Int
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func decoder() -> JSONDecoder {
        JSONDecoder()
    }

    /// Reads `<backup>/manifest.json`: nil when there is none (an incomplete backup).
    public static func read(backup folder: String) throws -> BackupManifest? {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            if BackupFiles.exists(path) { throw BackupError.unreadable(path) }
            return nil
        }
        let manifest: BackupManifest
        do {
            manifest = try decoder().decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError.badManifest(path, "\(error)")
        }
        guard manifest.format <= currentFormat else {
            throw BackupError.badManifest(path, "format \(manifest.format) is newer than this Posta reads (\(currentFormat))")
        }
        return manifest
    }
}
