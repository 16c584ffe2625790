import Core
import SQLKit

extension MailStore {
    /// The mailbox and the index of its messages (UID, flags and modseq), read in one snapshot (what
    /// SELECT needs). The index of a mailbox opened recently on this node is brought up to date
    /// from what changed since its modseq (`MailboxIndexCache`); others are read whole.
    public func states(mailboxID: Int64) async throws -> (mailbox: MailboxInfo, index: MailboxIndex)? {
        guard let read = try await states(where: "b.id = \(bind: mailboxID)") else {
            indexCache.forget(mailboxID)
            return nil
        }
        return read
    }

    /// `states(mailboxID:)` of a mailbox by name (`INBOX` in any case).
    public func states(accountID: Int64, name: String) async throws -> (mailbox: MailboxInfo, index: MailboxIndex)? {
        let name = MaildirPath.canonicalMailboxName(name)
        return try await states(where: "b.account_id = \(bind: accountID) AND b.name = \(bind: name)")
    }

    private func states(where condition: SQLQueryString) async throws -> (mailbox: MailboxInfo, index: MailboxIndex)? {
        let read = try await database.snapshot { db -> (MailboxInfo, MailboxIndex)? in
            guard let box = try await db.raw(Self.mailboxSelect(condition, counts: false)).first() else { return nil }
            let info = try Self.mailboxInfo(box)
            if let cached = self.indexCache.index(of: info.id), cached.uidValidity == info.uidValidity,
                cached.index.highestModSeq <= info.highestModSeq
            {
                var index = cached.index
                if info.highestModSeq > index.highestModSeq {
                    let (changed, expunged) = try await Self.changes(db, mailboxID: info.id, since: index.highestModSeq)
                    index.apply(
                        MailboxChanges(
                            highestModSeq: info.highestModSeq, uidNext: info.uidNext, changed: changed, expunged: expunged))
                }
                return (info, index)
            }
            let rows = try await db.raw(
                """
                SELECT uid, flags, modseq FROM message WHERE mailbox_id = \(bind: info.id) ORDER BY uid
                """
            ).all()
            return (info, MailboxIndex(messages: try rows.map(Self.messageState), highestModSeq: info.highestModSeq))
        }
        guard let (read, index) = read else { return nil }
        indexCache.keep(index, of: read.id, uidValidity: read.uidValidity)
        var info = read
        info.messageCount = index.count
        info.unseenCount = index.unseenCount
        return (info, index)
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
            let (changed, expunged) = try await Self.changes(db, mailboxID: mailboxID, since: modSeq)
            return MailboxChanges(
                highestModSeq: highest, uidNext: try Self.uint32(box, "uidnext"), changed: changed, expunged: expunged)
        }
    }

    /// Messages added or changed after `modSeq` (ascending UIDs) and the UIDs removed after it.
    private static func changes(_ db: any SQLDatabase, mailboxID: Int64, since modSeq: Int64) async throws
        -> (changed: [MessageState], expunged: [UInt32])
    {
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
        return (changed, expunged)
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
