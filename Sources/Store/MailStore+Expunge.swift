import Core
import SQLKit

extension MailStore {
    /// Permanently removes messages (POP3 UPDATE state, RFC 1939 §6; IMAP EXPUNGE).
    ///
    /// One transaction deletes the index rows, takes their bytes and count off the account's
    /// `store_account` counters (the reverse of `append`) and bumps the mailbox's
    /// `highest_modseq`; locks are taken in the same order as `append` (account row, then
    /// mailbox row). Only after the commit are the files unlinked — a crash in between leaves
    /// unindexed files for `sweepOrphans` — and then watchers are notified.
    ///
    /// Idempotent: UIDs that are not (or no longer) in the mailbox are ignored.
    /// - Returns: the UIDs this call removed, ascending.
    @discardableResult
    public func expunge(mailboxID: Int64, uids: [UInt32]) async throws -> [UInt32] {
        let wanted = Array(Set(uids)).sorted()
        guard !wanted.isEmpty else { return [] }
        let removed = try await database.transaction { db -> [(uid: UInt32, path: String)] in
            guard
                let box = try await db.raw("SELECT account_id FROM mailbox WHERE id = \(bind: mailboxID)").first()
            else { return [] }
            let accountID = try box.decode(column: "account_id", as: Int64.self)
            guard
                let account = try await db.raw("""
                    UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID)
                    RETURNING maildir
                    """).first()
            else { throw StoreError.notProvisioned(accountID) }
            let maildir = try account.decode(column: "maildir", as: String.self)
            try await db.raw("UPDATE mailbox SET highest_modseq = highest_modseq WHERE id = \(bind: mailboxID)").run()

            var removed: [(uid: UInt32, path: String)] = []
            var bytes: Int64 = 0
            // Bounded IN lists: SQLite limits the number of bound parameters per statement.
            var start = 0
            while start < wanted.count {
                let batch = wanted[start..<min(start + 500, wanted.count)].map { Int64($0) as any Encodable & Sendable }
                start += 500
                let rows = try await db.raw("""
                    DELETE FROM message WHERE mailbox_id = \(bind: mailboxID) AND uid IN (\(binds: batch))
                    RETURNING uid, size, file
                    """).all()
                for row in rows {
                    removed.append(
                        (try Self.uint32(row, "uid"), absolute(maildir: maildir, file: try row.decode(column: "file", as: String.self))))
                    bytes += try row.decode(column: "size", as: Int64.self)
                }
            }
            guard !removed.isEmpty else { return [] }
            try await db.raw("""
                UPDATE store_account SET used_bytes = used_bytes - \(bind: bytes), message_count = message_count - \(bind: Int64(removed.count))
                WHERE account_id = \(bind: accountID)
                """).run()
            try await db.raw("UPDATE mailbox SET highest_modseq = highest_modseq + 1 WHERE id = \(bind: mailboxID)").run()
            return removed
        }
        guard !removed.isEmpty else { return [] }
        let paths = removed.map(\.path)
        _ = try? await FileIO.blocking {
            for path in paths { try? FileIO.removeTree(path) }
        }
        notifier.changed(mailboxID: mailboxID)
        logger.debug("messages expunged", metadata: ["mailbox": "\(mailboxID)", "count": "\(removed.count)"])
        return removed.map(\.uid).sorted()
    }
}
