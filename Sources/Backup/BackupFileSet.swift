import Core
import SQLKit

/// A kind of file the site keeps beside its database rows, and the query that lists the files
/// a database (the snapshot) names. Every such file follows the same rule, which the backup's
/// consistency rests on: it is written and synced before the row that names it is committed,
/// never changed afterwards, and unlinked only after that row is deleted (`MailStore.append` /
/// `expunge` / `deprovision`, `MailQueue.commit` / `removeFinished`, `QuarantineStore.hold` /
/// `delete`, `HeldPosts`, `ListDigests`, `ListArchive`, `ListTransport.deleteList`). So a file
/// exists for as long as a row names it, and a path names the same bytes for ever.
///
/// The queries read other modules' tables on purpose: a backup is of the whole site, and the
/// tables are read from a snapshot, not through the services (which would read the live data).
/// A set whose table the snapshot lacks (a site migrated before it existed, a test database)
/// has no files.
public struct BackupFileSet: Sendable, Equatable {
    public let name: String
    /// Relative to the data folder.
    public let folder: String
    /// The table that must exist for `query` to run.
    let table: String
    /// Yields one column `path`, relative to `folder`.
    let query: String

    /// The queue's set: its files may be held for the backup once finished (`SpoolHold`).
    static let spoolSetName = "spool"
    static let spoolFolder = "spool"

    /// Every set, in the order files are copied.
    public static let all: [BackupFileSet] = [
        // `message.file` is relative to the account's maildir, which is relative to `mail/`.
        BackupFileSet(
            name: "mail", folder: "mail", table: "message",
            query: """
                SELECT s.maildir || '/' || m.file AS path FROM message m JOIN mailbox b ON b.id = m.mailbox_id
                JOIN store_account s ON s.account_id = b.account_id
                """),
        // Accepted, not yet delivered: `spool_file` is `msg/<queue id>`.
        BackupFileSet(
            name: spoolSetName, folder: spoolFolder, table: "queue_message",
            query: "SELECT spool_file AS path FROM queue_message"),
        // Held by the content filter: the file is named by the row's id.
        BackupFileSet(
            name: "quarantine", folder: "spool/quarantine", table: "quarantine", query: "SELECT id AS path FROM quarantine"),
        // Mailing lists: held posts, posts waiting for a digest, the archive.
        BackupFileSet(name: "list-held", folder: "lists/held", table: "list_held", query: "SELECT file AS path FROM list_held"),
        BackupFileSet(
            name: "list-digest", folder: "lists/digest", table: "list_digest_entry",
            query: "SELECT file AS path FROM list_digest_entry"),
        BackupFileSet(
            name: "list-archive", folder: "lists/archive", table: "list_archive", query: "SELECT file AS path FROM list_archive"),
    ]

    /// One file a database names.
    struct Named: Sendable, Hashable {
        let set: String
        /// Relative to the data folder (`mail/example.org/alice/cur/…`).
        let path: String
        /// Relative to the backup's folder.
        var backupPath: String { "data/" + path }
    }

    /// The files `db` names, set by set in `all`'s order; refuses paths that would leave their folder.
    static func named(in db: any SQLDatabase, dialect: Database.Dialect) async throws -> [Named] {
        let tables = try await Self.tables(in: db, dialect: dialect)
        var named: [Named] = []
        for set in all where tables.contains(set.table) {
            for row in try await db.raw(SQLQueryString(set.query)).all() {
                let path = try row.decode(column: "path", as: String.self)
                guard isContained(path) else { throw BackupError.unsafePath(set: set.name, path: path) }
                named.append(Named(set: set.name, path: set.folder + "/" + path))
            }
        }
        return named
    }

    static func tables(in db: any SQLDatabase, dialect: Database.Dialect) async throws -> Set<String> {
        let query: SQLQueryString =
            switch dialect {
            case .sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'"
            case .postgres:
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
            }
        return Set(try await db.raw(query).all().map { try $0.decode(column: "name", as: String.self) })
    }

    /// Whether a relative path stays inside its base: no empty, `.` or `..` parts, not absolute, no NUL.
    static func isContained(_ relative: String) -> Bool {
        guard !relative.isEmpty, !relative.hasPrefix("/") else { return false }
        return relative.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".." && !$0.utf8.contains(0)
        }
    }
}
