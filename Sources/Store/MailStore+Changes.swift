import Core
import SQLKit

extension MailStore {
    /// Every message's UID, flags and modseq, by UID, read in one snapshot with the mailbox's
    /// counters (what SELECT needs).
    public func states(mailboxID: Int64) async throws -> (mailbox: MailboxInfo, messages: [MessageState])? {
        try await database.snapshot { db in
            guard let box = try await db.raw(Self.mailboxSelect("b.id = \(bind: mailboxID)")).first() else { return nil }
            let rows = try await db.raw(
                """
                SELECT uid, flags, modseq FROM message WHERE mailbox_id = \(bind: mailboxID) ORDER BY uid
                """
            ).all()
            return (try Self.mailboxInfo(box), try rows.map(Self.messageState))
        }
    }

    /// What changed after `modSeq`, read in one snapshot; nil when the mailbox no longer exists.
    public func changes(mailboxID: Int64, since modSeq: Int64) async throws -> MailboxChanges? {
        try await database.snapshot { db in
            guard
                let box = try await db.raw(
                    """
                    SELECT highest_modseq, uidnext FROM mailbox WHERE id = \(bind: mailboxID)
                    """
                ).first()
            else { return nil }
            let highest = try box.decode(column: "highest_modseq", as: Int64.self)
            guard highest > modSeq else {
                return MailboxChanges(highestModSeq: highest, uidNext: try Self.uint32(box, "uidnext"), changed: [], expunged: [])
            }
            let changed = try await db.raw(
                """
                SELECT uid, flags, modseq FROM message WHERE mailbox_id = \(bind: mailboxID) AND modseq > \(bind: modSeq)
                ORDER BY uid
                """
            ).all().map(Self.messageState)
            let expunged = try await db.raw(
                """
                SELECT uid FROM expunged_message WHERE mailbox_id = \(bind: mailboxID) AND modseq > \(bind: modSeq)
                ORDER BY uid
                """
            ).all().map { try Self.uint32($0, "uid") }
            return MailboxChanges(
                highestModSeq: highest, uidNext: try Self.uint32(box, "uidnext"), changed: changed, expunged: expunged)
        }
    }

    /// The given messages (those that still exist) with their files, by UID (IMAP FETCH).
    public func messages(mailboxID: Int64, uids: [UInt32]) async throws -> [StoredMessage] {
        let wanted = Array(Set(uids)).sorted()
        let found = try await database.withConnection { db -> [StoredMessage] in
            guard
                let maildir = try await db.raw(
                    """
                    SELECT s.maildir FROM mailbox b JOIN store_account s ON s.account_id = b.account_id
                    WHERE b.id = \(bind: mailboxID)
                    """
                ).first(decodingColumn: "maildir", as: String.self)
            else { return [] }
            var found: [StoredMessage] = []
            try await Self.forEachBatch(wanted) { batch in
                let rows = try await db.raw(
                    """
                    SELECT uid, modseq, size, internal_date, flags, file FROM message
                    WHERE mailbox_id = \(bind: mailboxID) AND uid IN (\(binds: batch))
                    """
                ).all()
                for row in rows {
                    found.append(
                        StoredMessage(
                            mailboxID: mailboxID, uid: try Self.uint32(row, "uid"),
                            modSeq: try row.decode(column: "modseq", as: Int64.self),
                            size: try row.decode(column: "size", as: Int64.self),
                            internalDate: try row.decode(column: "internal_date", as: Int64.self),
                            flags: MessageFlags.decode(try row.decode(column: "flags", as: String.self)),
                            path: self.absolute(maildir: maildir, file: try row.decode(column: "file", as: String.self))))
                }
            }
            return found
        }
        return found.sorted { $0.uid < $1.uid }
    }

    /// One mailbox by id, or nil.
    public func mailbox(id: Int64) async throws -> MailboxInfo? {
        try await database.withConnection { db in
            try await db.raw(Self.mailboxSelect("b.id = \(bind: id)")).first().map(Self.mailboxInfo)
        }
    }
}

extension MailStore {
    /// Messages flagged `\Deleted` and the bytes of all messages in a mailbox (STATUS DELETED
    /// and SIZE, RFC 9051 §6.3.11, RFC 8438).
    public func deletedCountAndSize(mailboxID: Int64) async throws -> (deleted: Int, size: Int64) {
        try await database.withConnection { db in
            let row = try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes,
                  CAST(COALESCE(SUM(CASE WHEN deleted THEN 1 ELSE 0 END), 0) AS BIGINT) AS deleted
                FROM message WHERE mailbox_id = \(bind: mailboxID)
                """
            ).first()
            return (
                Int(try row?.decode(column: "deleted", as: Int64.self) ?? 0),
                try row?.decode(column: "bytes", as: Int64.self) ?? 0
            )
        }
    }
}

extension MailStore {
    /// Claims the mailbox's unclaimed `\Recent` messages below `uidNext` for one session
    /// (RFC 3501 §2.3.2: only one session sees a message as recent). Returns the first UID the
    /// caller may treat as recent: messages from it up to `uidNext` are the caller's.
    public func claimRecent(mailboxID: Int64, upTo uidNext: UInt32) async throws -> UInt32 {
        try await database.transaction { db in
            // The no-op UPDATE locks the row on PostgreSQL, so two sessions never claim the same UIDs.
            guard
                let row = try await db.raw(
                    """
                    UPDATE mailbox SET first_recent_uid = first_recent_uid WHERE id = \(bind: mailboxID)
                    RETURNING first_recent_uid
                    """
                ).first()
            else { return uidNext }
            let first = try Self.uint32(row, "first_recent_uid")
            guard first < uidNext else { return uidNext }
            try await db.raw(
                """
                UPDATE mailbox SET first_recent_uid = \(bind: Int64(uidNext))
                WHERE id = \(bind: mailboxID) AND first_recent_uid < \(bind: Int64(uidNext))
                """
            ).run()
            return first
        }
    }
}
