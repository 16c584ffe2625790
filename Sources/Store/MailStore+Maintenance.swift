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
    /// Deletes message files that no index row names (left by a crash between the file's
    /// rename and the index commit, or by a failed transaction), and leftovers in `tmp/`, when
    /// they are more than `age` old. A file's age counts from the newer of its modification time
    /// and the time in its Maildir name: a COPY's hard link keeps the source's old mtime but gets
    /// a fresh name, and an append's file is written just before its commit, so neither can look
    /// old while its index row is still coming (on any node) — as long as `age` is longer than
    /// any such window. Candidates are checked against the index twice (before listing and again
    /// just before removal) and re-examined on disk right before `unlink`. Returns how many files
    /// it removed.
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
            let indexed = try await indexedFiles(accountID: id)
            let base = absolute(maildir: maildir)
            let candidates = try await FileIO.blocking { Self.orphanCandidates(maildir: base, indexed: indexed, cutoff: cutoff) }
            guard !candidates.isEmpty else { continue }
            // Again, just before removal: nothing committed meanwhile is touched.
            let now = try await indexedFiles(accountID: id)
            let doomed = candidates.filter { !now.contains($0) }
            removed += try await FileIO.blocking { Self.remove(doomed, maildir: base, cutoff: cutoff) }
        }
        if removed > 0 { logger.info("orphan message files removed", metadata: ["count": "\(removed)"]) }
        return removed
    }

    /// Every message file the account's index names, relative to its maildir (`.Folder/cur/…`),
    /// including those kept for undelete.
    private func indexedFiles(accountID: Int64) async throws -> Set<String> {
        try await database.withConnection { db in
            Set(
                try await db.raw(
                    """
                    SELECT m.file FROM message m JOIN mailbox b ON b.id = m.mailbox_id WHERE b.account_id = \(bind: accountID)
                    UNION SELECT file FROM deleted_message WHERE account_id = \(bind: accountID) AND restored_at IS NULL
                    """
                ).all().map { try $0.decode(column: "file", as: String.self) })
        }
    }

    /// Files under the maildir's `tmp/ new/ cur/` folders (INBOX's and each `.Folder`'s) that are old
    /// enough and, outside `tmp/`, not in `indexed`; relative to the maildir.
    private static func orphanCandidates(maildir base: String, indexed: Set<String>, cutoff: Int64) -> [String] {
        var folders = [""]
        for entry in FileIO.entries(base) where entry.hasPrefix(".") && FileIO.isDirectory(base + "/" + entry) {
            folders.append(entry + "/")
        }
        var candidates: [String] = []
        for folder in folders {
            for sub in ["tmp", "new", "cur"] {
                for name in FileIO.entries(base + "/" + folder + sub) {
                    let relative = folder + sub + "/" + name
                    guard isOld(base + "/" + relative, name: name, cutoff: cutoff) else { continue }
                    if sub != "tmp" && indexed.contains(relative) { continue }
                    candidates.append(relative)
                }
            }
        }
        return candidates
    }

    /// Unlinks the files that are still old regular files; syncs each directory it changed.
    private static func remove(_ relatives: [String], maildir base: String, cutoff: Int64) -> Int {
        var removed = 0
        var changed = Set<String>()
        for relative in relatives {
            let path = base + "/" + relative
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            guard isOld(path, name: name, cutoff: cutoff) else { continue }
            if unlink(path) == 0 {
                removed += 1
                changed.insert(String(path[..<path.lastIndex(of: "/")!]))
            }
        }
        for directory in changed { try? FileIO.syncDirectory(directory) }
        return removed
    }

    /// Whether a regular file's modification time and the time its Maildir name starts with
    /// (`<seconds>.M…`, when it has one) are both before `cutoff`.
    private static func isOld(_ path: String, name: String, cutoff: Int64) -> Bool {
        guard let mtime = FileIO.regularFileMTime(path), mtime < cutoff else { return false }
        guard let dot = name.firstIndex(of: "."), let named = Int64(name[..<dot]) else { return true }
        return named < cutoff
    }

    /// Removes an account's index rows, then its maildir (used when a user is deleted; works
    /// before or after the `account` row is gone). Idempotent. Rows go first, so a crash in
    /// between leaves only unindexed files, never a row without its file.
    public func deprovision(accountID: Int64) async throws {
        let removed = try await database.transaction { db -> (maildir: String, mailboxes: [Int64])? in
            // The account's row first, as appends lock it.
            guard
                let maildir = try await db.raw(
                    """
                    UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID) RETURNING maildir
                    """
                ).first(decodingColumn: "maildir", as: String.self)
            else { return nil }
            let mailboxes = try await db.raw("SELECT id FROM mailbox WHERE account_id = \(bind: accountID)").all()
                .map { try $0.decode(column: "id", as: Int64.self) }
            try await db.raw("DELETE FROM mailbox WHERE account_id = \(bind: accountID)").run()
            try await db.raw("DELETE FROM deleted_message WHERE account_id = \(bind: accountID)").run()
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
