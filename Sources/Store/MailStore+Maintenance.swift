#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Core
import SQLKit

extension MailStore {
    /// Deletes message files that no index row names (left by a crash between the file's
    /// rename and the index commit, or by a failed transaction), and leftovers in `tmp/`,
    /// when their modification time is more than `age` ago. The age keeps appends that are
    /// still between rename and commit (on any node) safe. Returns how many files it removed.
    @discardableResult
    public func sweepOrphans(olderThan age: Duration, accountID: Int64? = nil) async throws -> Int {
        let cutoff = UnixTime.now() - max(0, age.components.seconds)
        let accounts = try await database.withConnection { db in
            let rows =
                if let accountID {
                    try await db.raw("SELECT account_id, maildir FROM store_account WHERE account_id = \(bind: accountID)").all()
                } else {
                    try await db.raw("SELECT account_id, maildir FROM store_account ORDER BY account_id").all()
                }
            return try rows.map {
                (try $0.decode(column: "account_id", as: Int64.self), try $0.decode(column: "maildir", as: String.self))
            }
        }
        var removed = 0
        for (id, maildir) in accounts where MaildirPath.isContained(maildir) {
            // Read the index first: a file committed after this read is newer than the cutoff.
            let indexed = try await database.withConnection { db in
                Set(
                    try await db.raw("""
                        SELECT m.file FROM message m JOIN mailbox b ON b.id = m.mailbox_id WHERE b.account_id = \(bind: id)
                        """).all().map { try $0.decode(column: "file", as: String.self) })
            }
            let base = absolute(maildir: maildir)
            removed += try await FileIO.blocking { Self.sweep(maildir: base, indexed: indexed, cutoff: cutoff) }
        }
        if removed > 0 { logger.info("orphan message files removed", metadata: ["count": "\(removed)"]) }
        return removed
    }

    private static func sweep(maildir base: String, indexed: Set<String>, cutoff: Int64) -> Int {
        var folders = [""]
        for entry in FileIO.entries(base) where entry.hasPrefix(".") && FileIO.isDirectory(base + "/" + entry) {
            folders.append(entry + "/")
        }
        var removed = 0
        for folder in folders {
            for sub in ["tmp", "new", "cur"] {
                let directory = base + "/" + folder + sub
                var changed = false
                for name in FileIO.entries(directory) {
                    let path = directory + "/" + name
                    guard let mtime = FileIO.regularFileMTime(path), mtime < cutoff else { continue }
                    if sub != "tmp" && indexed.contains(folder + sub + "/" + name) { continue }
                    if unlink(path) == 0 {
                        removed += 1
                        changed = true
                    }
                }
                if changed { try? FileIO.syncDirectory(directory) }
            }
        }
        return removed
    }

    /// Removes an account's index rows, then its maildir (used when a user is deleted; works
    /// before or after the `account` row is gone). Idempotent. Rows go first, so a crash in
    /// between leaves only unindexed files, never a row without its file.
    public func deprovision(accountID: Int64) async throws {
        let removed = try await database.transaction { db -> (maildir: String, mailboxes: [Int64])? in
            // The account's row first, as appends lock it.
            guard
                let maildir = try await db.raw("""
                    UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID) RETURNING maildir
                    """).first(decodingColumn: "maildir", as: String.self)
            else { return nil }
            let mailboxes = try await db.raw("SELECT id FROM mailbox WHERE account_id = \(bind: accountID)").all()
                .map { try $0.decode(column: "id", as: Int64.self) }
            try await db.raw("DELETE FROM mailbox WHERE account_id = \(bind: accountID)").run()
            try await db.raw("DELETE FROM store_account WHERE account_id = \(bind: accountID)").run()
            return (maildir, mailboxes)
        }
        guard let removed else { return }
        guard MaildirPath.isContained(removed.maildir) else {
            throw StoreError.io("refusing to remove maildir '\(removed.maildir)' outside \(root)")
        }
        let path = absolute(maildir: removed.maildir)
        let parent = String(path[..<path.lastIndex(of: "/")!])
        try await FileIO.blocking {
            try FileIO.removeTree(path)
            try? FileIO.syncDirectory(parent)
        }
        for mailbox in removed.mailboxes { notifier.changed(mailboxID: mailbox) }
        logger.info("mail store removed", metadata: ["account": "\(accountID)", "maildir": "\(removed.maildir)"])
    }
}
