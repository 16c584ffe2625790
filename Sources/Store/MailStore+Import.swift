import Core
import SQLKit

/// What an import does with a mailbox it is given (``MailStore/importMailbox(accountID:name:uidValidity:uidNext:)``).
public enum MailboxImportDisposition: Sendable, Hashable {
    /// No such mailbox: it is created with the given UIDVALIDITY and UIDNEXT.
    case create
    /// The mailbox exists without messages (e.g. the INBOX that provisioning made): it takes the given
    /// UIDVALIDITY and UIDNEXT.
    case adopt(mailboxID: Int64)
    /// The mailbox has the same UIDVALIDITY (an earlier import): messages missing from it are added.
    case resume(mailboxID: Int64)
    /// The mailbox holds messages under another UIDVALIDITY: importing would change the UIDs its clients know.
    case refuse(reason: String)

    /// The decision for an existing mailbox (or none); pure, so a dry run decides as the import does.
    public static func decide(existing: MailboxInfo?, uidValidity: UInt32) -> MailboxImportDisposition {
        guard let existing else { return .create }
        if existing.uidValidity == uidValidity { return .resume(mailboxID: existing.id) }
        if existing.messageCount == 0 { return .adopt(mailboxID: existing.id) }
        return .refuse(
            reason:
                "mailbox exists with UIDVALIDITY \(existing.uidValidity) and \(existing.messageCount) message(s), the source has \(uidValidity)"
        )
    }
}

/// What an import did with one message (``MailStore/importMessage(_:)``).
public enum MessageImportOutcome: Sendable, Hashable {
    /// Stored under its UID; `size` bytes.
    case imported(size: Int64)
    /// An earlier import stored it (idempotence).
    case alreadyImported
    /// Not stored, with the reason.
    case skipped(reason: String)
}

/// One message to import with the UID, flags and dates it had on the old server.
public struct MessageImport: Sendable, Hashable {
    public var accountID: Int64
    public var mailboxID: Int64
    public var uid: UInt32
    /// The message file to copy (it is not changed); not read when ``data`` is given.
    public var sourceFile: String
    /// The message's bytes, when they are in memory rather than in a file of their own (an mbox message).
    public var data: [UInt8]?
    public var flags: [String]
    /// Seconds since 1970 (IMAP INTERNALDATE).
    public var internalDate: Int64
    /// The POP3 UIDL the message had (RFC 1939 §7), or nil for Posta's own.
    public var pop3UIDL: String?

    public init(
        accountID: Int64, mailboxID: Int64, uid: UInt32, sourceFile: String, flags: [String], internalDate: Int64,
        pop3UIDL: String?
    ) {
        self.accountID = accountID
        self.mailboxID = mailboxID
        self.uid = uid
        self.sourceFile = sourceFile
        self.flags = flags
        self.internalDate = internalDate
        self.pop3UIDL = pop3UIDL
    }

    /// A message whose bytes are in memory (an mbox message): stored as `data`, with no source file.
    public init(
        accountID: Int64, mailboxID: Int64, uid: UInt32, data: [UInt8], flags: [String], internalDate: Int64,
        pop3UIDL: String?
    ) {
        self.init(
            accountID: accountID, mailboxID: mailboxID, uid: uid, sourceFile: "", flags: flags, internalDate: internalDate,
            pop3UIDL: pop3UIDL)
        self.data = data
    }
}

/// The UIDs a mailbox holds and those it expunged: an import stores neither again.
public struct MailboxImportState: Sendable, Hashable {
    /// UIDs an earlier import stored.
    public var imported: Set<UInt32>
    /// UIDs holding messages Posta stored itself.
    public var taken: Set<UInt32>
    public var expunged: Set<UInt32>
    /// The delivery keys of the messages it holds that were not stored under an import key (an import's
    /// messages with new UIDs, `append`'s `deliveryKey`): an import checks its own against them in memory.
    public var deliveryKeys: Set<String>

    public init(
        imported: Set<UInt32> = [], taken: Set<UInt32> = [], expunged: Set<UInt32> = [], deliveryKeys: Set<String> = []
    ) {
        self.imported = imported
        self.taken = taken
        self.expunged = expunged
        self.deliveryKeys = deliveryKeys
    }
}

extension MailStore {
    /// The key an imported message's row carries in `delivery_key`: it tells an earlier import's row
    /// from a message Posta stored under the same UID.
    static func importKey(mailboxID: Int64, uid: UInt32) -> String { "import/\(mailboxID)/\(uid)" }

    /// Prepares a mailbox for an import that keeps the old server's UIDVALIDITY and UIDs (RFC 9051 §2.3.1.1:
    /// a client that synced against the old server then finds what it knows). Creates it, or adopts an empty
    /// one, or resumes an earlier import; refuses a mailbox with messages under another UIDVALIDITY. UIDNEXT
    /// is raised to `uidNext` (never lowered), and the imported UIDs are not `\Recent`. The account's
    /// UIDVALIDITY counter is raised past `uidValidity`, so no mailbox created later repeats it.
    public func importMailbox(accountID: Int64, name: String, uidValidity: UInt32, uidNext: UInt32) async throws
        -> MailboxImportDisposition
    {
        let name = try Self.validMailboxName(name)
        guard uidValidity != 0, uidNext != 0 else { throw StoreError.io("UIDVALIDITY and UIDNEXT must not be 0") }
        let disposition = try await database.transaction { db -> MailboxImportDisposition in
            // The account's row first, as every writer locks it.
            try await db.raw(
                """
                UPDATE store_account SET last_uidvalidity = last_uidvalidity WHERE account_id = \(bind: accountID)
                """
            ).run()
            let existing = try await db.raw(Self.mailboxSelect("b.account_id = \(bind: accountID) AND b.name = \(bind: name)"))
                .first().map(Self.mailboxInfo)
            let decision = MailboxImportDisposition.decide(existing: existing, uidValidity: uidValidity)
            let mailboxID: Int64
            switch decision {
            case .refuse: return decision
            case .create:
                // A folder from the store's own allocation (readable or numbered), then the old values.
                mailboxID = try await self.insertMailbox(
                    db, accountID: accountID, name: name, specialUse: nil, subscribe: false
                ).id
            case .adopt(let id):
                mailboxID = id
                // The UIDs of the old UIDVALIDITY are void under the new one.
                try await db.raw("DELETE FROM expunged_message WHERE mailbox_id = \(bind: id)").run()
                try await db.raw(
                    """
                    UPDATE mailbox SET uidvalidity = \(bind: Int64(uidValidity)), uidnext = 1, first_recent_uid = 1
                    WHERE id = \(bind: id)
                    """
                ).run()
            case .resume(let id): mailboxID = id
            }
            try await db.raw(
                """
                UPDATE mailbox SET uidvalidity = \(bind: Int64(uidValidity)),
                  uidnext = CASE WHEN uidnext > \(bind: Int64(uidNext)) THEN uidnext ELSE \(bind: Int64(uidNext)) END,
                  first_recent_uid = CASE WHEN first_recent_uid > \(bind: Int64(uidNext)) THEN first_recent_uid ELSE \(bind: Int64(uidNext)) END
                WHERE id = \(bind: mailboxID)
                """
            ).run()
            try await db.raw(
                """
                UPDATE store_account SET last_uidvalidity =
                  CASE WHEN last_uidvalidity > \(bind: Int64(uidValidity)) THEN last_uidvalidity ELSE \(bind: Int64(uidValidity)) END
                WHERE account_id = \(bind: accountID)
                """
            ).run()
            return decision
        }
        if case .adopt(let id) = disposition { notifier.changed(mailboxID: id) }
        return disposition
    }

    /// The UIDs an import finds in a mailbox (imported earlier, taken by Posta's own messages, expunged) and the
    /// delivery keys of the messages it holds, in one pass over its index.
    public func importState(mailboxID: Int64) async throws -> MailboxImportState {
        try await database.withConnection { db in
            var state = MailboxImportState()
            for row in try await db.raw("SELECT uid, delivery_key FROM message WHERE mailbox_id = \(bind: mailboxID)").all() {
                let uid = try Self.uint32(row, "uid")
                let key = try Self.optional(row, "delivery_key", as: String.self)
                if key == Self.importKey(mailboxID: mailboxID, uid: uid) {
                    state.imported.insert(uid)
                } else {
                    state.taken.insert(uid)
                    if let key { state.deliveryKeys.insert(key) }
                }
            }
            state.expunged = Set(
                try await db.raw("SELECT uid FROM expunged_message WHERE mailbox_id = \(bind: mailboxID)").all()
                    .map { try Self.uint32($0, "uid") })
            return state
        }
    }

    /// Stores one message under the UID it had: the source file (or ``MessageImport/data``) is copied into the
    /// mailbox's folder (written in `tmp/`, synced, renamed, the directory synced) before the index row
    /// commits, as `append` does.
    /// A UID the mailbox holds or expunged is not stored again: an earlier import's row counts as
    /// ``MessageImportOutcome/alreadyImported``, another message under that UID makes it skipped. UIDNEXT is
    /// raised above the UID. Quotas are not applied: the mail is already the user's.
    public func importMessage(_ message: MessageImport) async throws -> MessageImportOutcome {
        let flags = try MessageFlags.normalize(message.flags)
        let (mailboxID, uid) = (message.mailboxID, message.uid)
        guard uid != 0, uid != UInt32.max else { return .skipped(reason: "UID \(uid) is out of range") }
        let key = Self.importKey(mailboxID: mailboxID, uid: uid)
        let place = try await database.withConnection { db -> (folder: String, maildir: String)? in
            guard
                let row = try await db.raw(
                    """
                    SELECT b.folder, s.maildir FROM mailbox b JOIN store_account s ON s.account_id = b.account_id
                    WHERE b.id = \(bind: mailboxID) AND b.account_id = \(bind: message.accountID)
                    """
                ).first()
            else { return nil }
            return (try row.decode(column: "folder", as: String.self), try row.decode(column: "maildir", as: String.self))
        }
        guard let (folder, maildir) = place else { throw StoreError.noSuchMailbox("\(mailboxID)") }
        if let known = try await database.withConnection({ db in try await Self.importConflict(db, mailboxID, uid, key) }) {
            return known
        }
        let folderPath = folderPath(maildir: maildir, folder: folder)
        let info = MessageFlags.maildirInfo(flags)
        let content: MessageContent = message.data.map { .bytes($0) } ?? .file(prefix: [], path: message.sourceFile, offset: 0)
        let (written, size) = try await FileIO.blocking { [writer] in
            try writer.write(content, folderPath: folderPath, info: info)
        }
        let file = folder.isEmpty ? written : folder + "/" + written
        let path = absolute(maildir: maildir, file: file)
        let header: [UInt8]
        if companions.isEmpty {
            header = []
        } else if let data = message.data {
            header = headerSection(data)
        } else {
            header = (try? await MessageFileReader.readMessageHeader(path)) ?? []
        }
        let outcome: MessageImportOutcome
        do {
            outcome = try await database.transaction { [companions] db -> MessageImportOutcome in
                try await db.raw(
                    "UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: message.accountID)"
                ).run()
                if let known = try await Self.importConflict(db, mailboxID, uid, key) { return known }
                guard
                    let modSeq = try await db.raw(
                        """
                        UPDATE mailbox SET highest_modseq = highest_modseq + 1,
                          uidnext = CASE WHEN uidnext > \(bind: Int64(uid)) THEN uidnext ELSE \(bind: Int64(uid) + 1) END
                        WHERE id = \(bind: mailboxID) RETURNING highest_modseq
                        """
                    ).first(decodingColumn: "highest_modseq", as: Int64.self)
                else { throw StoreError.noSuchMailbox("\(mailboxID)") }
                let columns = MessageFlags.Columns(flags)
                let messageID = try await db.raw(
                    """
                    INSERT INTO message (mailbox_id, uid, modseq, file, size, internal_date, flags, seen, deleted, delivery_key,
                      pop3_uidl, created_at)
                    VALUES (\(bind: mailboxID), \(bind: Int64(uid)), \(bind: modSeq), \(bind: file), \(bind: size),
                      \(bind: message.internalDate), \(bind: columns.text), \(bind: columns.seen), \(bind: columns.deleted),
                      \(bind: key), \(bind: message.pop3UIDL), \(bind: UnixTime.now()))
                    RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int64.self)
                if let messageID {
                    let added = AddedMessage(
                        id: messageID, mailboxID: mailboxID, internalDate: message.internalDate, size: size, header: header)
                    for companion in companions { try await companion.added(db, added) }
                }
                try await db.raw(
                    """
                    UPDATE store_account SET used_bytes = used_bytes + \(bind: size), message_count = message_count + 1
                    WHERE account_id = \(bind: message.accountID)
                    """
                ).run()
                return .imported(size: size)
            }
        } catch {
            // As in `append`: the file goes only when the index confirms it has no row for it.
            let mine: AppendResult?
            do {
                mine = try await database.withConnection { db in
                    try await Self.stored(file: file, mailboxID: mailboxID, in: db)
                }
            } catch _ {
                throw error  // unknown: leave the file to sweepOrphans
            }
            if mine != nil { return .imported(size: size) }
            await Self.remove(path)
            throw error
        }
        if case .imported = outcome {
            notifier.changed(mailboxID: mailboxID)
        } else {
            await Self.remove(path)
        }
        return outcome
    }

    /// Why a UID cannot be stored, or nil when it can.
    static func importConflict(_ db: any SQLDatabase, _ mailboxID: Int64, _ uid: UInt32, _ key: String) async throws
        -> MessageImportOutcome?
    {
        if let row = try await db.raw(
            "SELECT delivery_key FROM message WHERE mailbox_id = \(bind: mailboxID) AND uid = \(bind: Int64(uid))"
        ).first() {
            if try optional(row, "delivery_key", as: String.self) == key { return .alreadyImported }
            return .skipped(reason: "UID \(uid) already holds another message")
        }
        if try await db.raw(
            "SELECT uid FROM expunged_message WHERE mailbox_id = \(bind: mailboxID) AND uid = \(bind: Int64(uid))"
        ).first() != nil {
            return .skipped(reason: "UID \(uid) was expunged in Posta")
        }
        return nil
    }

    /// Whether a message was appended with `deliveryKey` (an import's files that got new UIDs).
    public func isDelivered(deliveryKey: String) async throws -> Bool {
        try await database.withConnection { db in try await Self.delivered(deliveryKey, in: db) != nil }
    }

    /// The POP3 UIDLs imported messages keep, by UID (messages without one use Posta's own).
    public func pop3UIDLs(mailboxID: Int64) async throws -> [UInt32: String] {
        try await database.withConnection { db in
            var result: [UInt32: String] = [:]
            for row in try await db.raw(
                "SELECT uid, pop3_uidl FROM message WHERE mailbox_id = \(bind: mailboxID) AND pop3_uidl IS NOT NULL"
            ).all() {
                result[try Self.uint32(row, "uid")] = try row.decode(column: "pop3_uidl", as: String.self)
            }
            return result
        }
    }
}
