import Core
import SQLKit

extension MailStore {
    /// Permanently removes messages (POP3 UPDATE state, RFC 1939 §6; IMAP EXPUNGE).
    ///
    /// One transaction deletes the index rows, takes their bytes and count off the account's
    /// `store_account` counters (the reverse of `append`) and bumps the mailbox's
    /// `highest_modseq`; locks are taken in the same order as `append` (account row, then
    /// mailbox row). Only after the commit are the files unlinked — a crash in between leaves
    /// unindexed files for `sweepOrphans` — and then watchers are notified. With an
    /// `undeleteRetention`, the files stay and the same transaction records them in
    /// `deleted_message` (`MailStore+Undelete.swift`) instead.
    ///
    /// Idempotent: UIDs that are not (or no longer) in the mailbox are ignored. The removed UIDs
    /// are recorded in `expunged_message` with the new modseq (RFC 7162 §3.2.5 VANISHED).
    /// - Parameter onlyDeleted: remove only those of `uids` that carry `\Deleted` at commit time
    ///   (IMAP EXPUNGE, RFC 9051 §6.4.3), so a flag cleared meanwhile by another session wins.
    /// - Returns: the UIDs this call removed, ascending.
    @discardableResult
    public func expunge(mailboxID: Int64, uids: [UInt32], onlyDeleted: Bool = false) async throws -> [UInt32] {
        let wanted = Array(Set(uids)).sorted()
        guard !wanted.isEmpty else { return [] }
        let keep = undeleteRetention > 0
        let removed = try await database.transaction { db -> [(uid: UInt32, path: String)] in
            guard
                let box = try await db.raw("SELECT account_id, name, folder FROM mailbox WHERE id = \(bind: mailboxID)").first()
            else { return [] }
            let accountID = try box.decode(column: "account_id", as: Int64.self)
            var kept: [DeletedMessageRow] = []
            guard
                let account = try await db.raw(
                    """
                    UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID)
                    RETURNING maildir
                    """
                ).first()
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
                let deleted: SQLQueryString = onlyDeleted ? " AND deleted" : ""
                let rows = try await db.raw(
                    """
                    DELETE FROM message WHERE mailbox_id = \(bind: mailboxID) AND uid IN (\(binds: batch))\(deleted)
                    RETURNING uid, size, file, internal_date, flags
                    """
                ).all()
                for row in rows where keep {
                    kept.append(
                        DeletedMessageRow(
                            file: try row.decode(column: "file", as: String.self),
                            size: try row.decode(column: "size", as: Int64.self),
                            internalDate: try row.decode(column: "internal_date", as: Int64.self),
                            flags: try row.decode(column: "flags", as: String.self)))
                }
                for row in rows {
                    removed.append(
                        (
                            try Self.uint32(row, "uid"),
                            absolute(maildir: maildir, file: try row.decode(column: "file", as: String.self))
                        ))
                    bytes += try row.decode(column: "size", as: Int64.self)
                }
            }
            guard !removed.isEmpty else { return [] }
            try await db.raw(
                """
                UPDATE store_account SET used_bytes = used_bytes - \(bind: bytes), message_count = message_count - \(bind: Int64(removed.count))
                WHERE account_id = \(bind: accountID)
                """
            ).run()
            let modSeq = try await Self.nextModSeq(db, mailboxID: mailboxID)
            try await Self.recordExpunged(db, mailboxID: mailboxID, uids: removed.map(\.uid), modSeq: modSeq)
            if keep {
                try await Self.keepDeleted(
                    db, accountID: accountID, mailboxID: mailboxID, name: try box.decode(column: "name", as: String.self),
                    folder: try box.decode(column: "folder", as: String.self), rows: kept, folderDeleted: false)
            }
            return removed
        }
        guard !removed.isEmpty else { return [] }
        if !keep {
            let paths = removed.map(\.path)
            _ = try? await FileIO.blocking {
                for path in paths { try? FileIO.removeTree(path) }
            }
        }
        notifier.changed(mailboxID: mailboxID)
        logger.debug("messages expunged", metadata: ["mailbox": "\(mailboxID)", "count": "\(removed.count)"])
        return removed.map(\.uid).sorted()
    }
}

extension MailStore {
    /// Inside a transaction that already locked the mailbox row: the mailbox's next modseq.
    static func nextModSeq(_ db: any SQLDatabase, mailboxID: Int64) async throws -> Int64 {
        guard
            let modSeq = try await db.raw(
                """
                UPDATE mailbox SET highest_modseq = highest_modseq + 1 WHERE id = \(bind: mailboxID) RETURNING highest_modseq
                """
            ).first(decodingColumn: "highest_modseq", as: Int64.self)
        else { throw StoreError.io("mailbox \(mailboxID) vanished during a change") }
        return modSeq
    }

    /// Records removed UIDs with the modseq of their removal.
    static func recordExpunged(_ db: any SQLDatabase, mailboxID: Int64, uids: [UInt32], modSeq: Int64) async throws {
        var start = 0
        while start < uids.count {
            let batch = uids[start..<min(start + 300, uids.count)]
            start += 300
            let rows = batch.map { SQLQueryString("(\(bind: mailboxID), \(bind: Int64($0)), \(bind: modSeq))") }
            try await db.raw(
                """
                INSERT INTO expunged_message (mailbox_id, uid, modseq) VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq
                """
            ).run()
        }
    }
}
