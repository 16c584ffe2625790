import Core
import SQLKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension MailStore {
    /// How long a restored row is kept (without a file), so other processes see the restore.
    static let restoredRowLifetime: Int64 = 3600

    /// Removes, for good, the kept messages deleted more than `retention` seconds before `now`
    /// (0: all of them): rows first, in batches of 500, then their files after each commit (a
    /// crash in between leaves unindexed files for `sweepOrphans`). A deleted mailbox's folder
    /// goes once no kept message lives in it and no mailbox uses it (a new mailbox never takes a
    /// folder still on disk). Rows of restores older than an hour go too. Returns how many kept
    /// messages it removed.
    @discardableResult
    public func purgeDeleted(retention: Int64, now: Int64 = UnixTime.now()) async throws -> Int {
        let cutoff = now - max(0, retention)
        var purged = 0
        while true {
            let batch = try await database.transaction {
                db -> [(accountID: Int64, maildir: String, folder: String, file: String)] in
                let rows = try await db.raw(
                    """
                    SELECT d.id, d.account_id, d.folder, d.file, s.maildir FROM deleted_message d
                    LEFT JOIN store_account s ON s.account_id = d.account_id
                    WHERE d.restored_at IS NULL AND d.deleted_at <= \(bind: cutoff) ORDER BY d.id LIMIT 500
                    """
                ).all()
                guard !rows.isEmpty else { return [] }
                let ids = try rows.map { try $0.decode(column: "id", as: Int64.self) as any Encodable & Sendable }
                try await db.raw("DELETE FROM deleted_message WHERE id IN (\(binds: ids))").run()
                return try rows.compactMap { row in
                    guard let maildir = try Self.optional(row, "maildir", as: String.self) else { return nil }
                    return (
                        try row.decode(column: "account_id", as: Int64.self), maildir,
                        try row.decode(column: "folder", as: String.self),
                        try row.decode(column: "file", as: String.self)
                    )
                }
            }
            guard !batch.isEmpty else { break }
            purged += batch.count
            let paths = batch.filter { MaildirPath.isContained($0.maildir) }.map { absolute(maildir: $0.maildir, file: $0.file) }
            _ = try? await FileIO.blocking { for path in paths { unlink(path) } }
            var folders: [(accountID: Int64, maildir: String, folder: String)] = []
            for item in batch
            where !item.folder.isEmpty && !folders.contains(where: { $0 == (item.accountID, item.maildir, item.folder) }) {
                folders.append((item.accountID, item.maildir, item.folder))
            }
            for folder in folders {
                try await removeDeletedFolder(folder.accountID, maildir: folder.maildir, folder: folder.folder)
            }
        }
        try await database.withConnection { db in
            try await db.raw(
                "DELETE FROM deleted_message WHERE restored_at IS NOT NULL AND restored_at < \(bind: now - Self.restoredRowLifetime)"
            ).run()
        }
        if purged > 0 { logger.info("deleted messages purged", metadata: ["count": "\(purged)"]) }
        return purged
    }

    /// Removes a maildir folder that no mailbox uses and no kept message lives in (a deleted mailbox's).
    func removeDeletedFolder(_ accountID: Int64, maildir: String, folder: String) async throws {
        guard MaildirPath.isContained(maildir), MaildirPath.isContained(folder), !folder.contains("/") else { return }
        let unused = try await database.withConnection { db in
            let mailbox = try await db.raw(
                "SELECT id FROM mailbox WHERE account_id = \(bind: accountID) AND folder = \(bind: folder)"
            ).first()
            return try await mailbox == nil ? !Self.holdsDeleted(db, accountID: accountID, folder: folder) : false
        }
        guard unused else { return }
        let path = folderPath(maildir: maildir, folder: folder)
        _ = try? await FileIO.blocking { try FileIO.removeTree(path) }
    }
}
