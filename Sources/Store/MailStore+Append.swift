import Core
import SQLKit

extension MailStore {
    /// Appends a message whose content is `prefix` followed by the bytes of `sourceFile` (the
    /// spool file; `prefix` carries per-recipient headers such as Return-Path and Delivered-To),
    /// from byte `sourceOffset` on (what comes before it was rewritten into `prefix`).
    ///
    /// Atomic and durable: the file is written in `tmp/`, synced, renamed into `new/` (or `cur/`
    /// when `flags` are given), the directory synced, and only then is the index row committed,
    /// with the UID taken from the mailbox's UIDNEXT and a new modseq in the same transaction.
    /// Appends ending at the same moment share the directory syncs and the transaction
    /// (`GroupCommit`), each returning after that commit.
    /// A crash leaves at worst an unindexed, invisible file for `sweepOrphans`.
    ///
    /// - Parameters:
    ///   - deliveryKey: makes the append idempotent (e.g. `"<queue id>/<account id>"`): a second
    ///     append with the same key writes nothing and returns the first result.
    ///   - internalDate: seconds since 1970; now when nil.
    ///   - enforceQuota: refuse with `StoreError.overQuota` when the message would take the
    ///     account past its quota.
    /// Watchers of the mailbox are notified after the commit.
    @discardableResult
    public func append(
        accountID: Int64, mailbox: String, prefix: [UInt8], sourceFile: String, sourceOffset: Int64 = 0,
        flags: [String] = [], internalDate: Int64? = nil, deliveryKey: String? = nil, enforceQuota: Bool = true
    ) async throws -> AppendResult {
        try await append(
            accountID: accountID, mailbox: mailbox, content: .file(prefix: prefix, path: sourceFile, offset: sourceOffset),
            flags: flags,
            internalDate: internalDate, deliveryKey: deliveryKey, enforceQuota: enforceQuota)
    }

    /// Appends a message given as bytes (IMAP APPEND); otherwise as the file-based `append`.
    @discardableResult
    public func append(
        accountID: Int64, mailbox: String, data: [UInt8], flags: [String] = [], internalDate: Int64? = nil,
        deliveryKey: String? = nil, enforceQuota: Bool = true
    ) async throws -> AppendResult {
        try await append(
            accountID: accountID, mailbox: mailbox, content: .bytes(data), flags: flags, internalDate: internalDate,
            deliveryKey: deliveryKey, enforceQuota: enforceQuota)
    }

    struct Destination: Sendable {
        var mailboxID: Int64
        var folder: String
        var maildir: String
        var used: Int64
        var quota: Int64
    }

    enum Lookup: Sendable {
        case delivered(AppendResult)
        case destination(Destination)
    }

    enum Outcome: Sendable {
        case delivered(AppendResult)
        case stored(AppendResult)
    }

    private func append(
        accountID: Int64, mailbox name: String, content: MessageContent, flags: [String], internalDate: Int64?,
        deliveryKey: String?, enforceQuota: Bool
    ) async throws -> AppendResult {
        let name = MaildirPath.canonicalMailboxName(name)
        let flags = try MessageFlags.normalize(flags)
        let internalDate = internalDate ?? UnixTime.now()

        let destination: Destination
        switch try await lookup(accountID: accountID, name: name, deliveryKey: deliveryKey) {
        case .delivered(let earlier): return earlier
        case .destination(let found): destination = found
        }
        let (mailboxID, folder, maildir) = (destination.mailboxID, destination.folder, destination.maildir)
        let (used, quota) = (destination.used, destination.quota)

        // A cheap early refusal, so an over-quota delivery writes nothing; the authoritative
        // check runs again in the transaction.
        let expected = try await FileIO.blocking { try content.expectedSize() }
        if enforceQuota && quota > 0 && used + expected > quota {
            throw StoreError.overQuota(used: used, quota: quota, adding: expected)
        }

        let folderPath = folderPath(maildir: maildir, folder: folder)
        let info = MessageFlags.maildirInfo(flags)
        // The directory is synced once per batch of appends, before the batch's rows name the file.
        let (written, size) = try await FileIO.blocking { [writer] in
            try writer.write(content, folderPath: folderPath, info: info, syncDirectory: false)
        }
        let file = folder.isEmpty ? written : folder + "/" + written
        let path = absolute(maildir: maildir, file: file)
        let header: [UInt8]
        switch content {
        case _ where companions.isEmpty: header = []
        case .bytes(let bytes): header = headerSection(bytes)
        case .file: header = (try? await MessageFileReader.readMessageHeader(path)) ?? []
        }

        let outcome: Outcome
        do {
            let directory = folderPath + "/" + (written.split(separator: "/").first.map(String.init) ?? "new")
            outcome = try await groupCommit.run(syncing: [directory], lockOrder: [accountID, mailboxID]) {
                [companions] db, retry in
                // A retry after a failed batch: the batch's commit may have happened after all.
                if retry, let mine = try await Self.stored(file: file, mailboxID: mailboxID, in: db) { return .stored(mine) }
                return try await Self.index(
                    db, accountID: accountID, mailboxID: mailboxID, name: name, file: file, size: size, flags: flags,
                    internalDate: internalDate, deliveryKey: deliveryKey, enforceQuota: enforceQuota,
                    companions: companions, header: header)
            }
        } catch {
            // The commit may have happened even though it reported an error (a connection lost
            // at COMMIT): the file goes only when the index confirms it has no row for it.
            let check = try? await database.withConnection { db -> (mine: AppendResult?, keyed: AppendResult?) in
                let mine = try await Self.stored(file: file, mailboxID: mailboxID, in: db)
                guard let deliveryKey else { return (mine, nil) }
                return (mine, try await Self.delivered(deliveryKey, in: db))
            }
            guard let check else { throw error }  // unknown: leave the file to sweepOrphans
            if let mine = check.mine {
                notifier.changed(mailboxID: mailboxID)
                return mine
            }
            await Self.remove(path)
            // A concurrent append with the same key may have won the unique index.
            if let earlier = check.keyed { return earlier }
            throw error
        }
        switch outcome {
        case .delivered(let earlier):
            await Self.remove(path)
            return earlier
        case .stored(let result):
            notifier.changed(mailboxID: mailboxID)
            logger.debug(
                "message stored",
                metadata: ["account": "\(accountID)", "mailbox": "\(mailboxID)", "uid": "\(result.uid)", "size": "\(size)"])
            return result
        }
    }

    /// The mailbox an append goes to, or the earlier result of the same `deliveryKey`.
    func lookup(accountID: Int64, name: String, deliveryKey: String?) async throws -> Lookup {
        try await database.withConnection { db -> Lookup in
            if let deliveryKey, let earlier = try await Self.delivered(deliveryKey, in: db) { return .delivered(earlier) }
            guard
                let row = try await db.raw(
                    """
                    SELECT s.maildir, s.used_bytes, a.quota_bytes, b.id AS mailbox_id, b.folder FROM store_account s
                    JOIN account a ON a.id = s.account_id
                    LEFT JOIN mailbox b ON b.account_id = s.account_id AND b.name = \(bind: name)
                    WHERE s.account_id = \(bind: accountID)
                    """
                ).first()
            else { throw StoreError.notProvisioned(accountID) }
            guard let mailboxID = try Self.optional(row, "mailbox_id", as: Int64.self) else {
                throw StoreError.noSuchMailbox(name)
            }
            return .destination(
                Destination(
                    mailboxID: mailboxID, folder: try row.decode(column: "folder", as: String.self),
                    maildir: try row.decode(column: "maildir", as: String.self),
                    used: try row.decode(column: "used_bytes", as: Int64.self),
                    quota: try row.decode(column: "quota_bytes", as: Int64.self)))
        }
    }

    /// The index transaction of an append. Locks the account's row first (quota and counters),
    /// then the mailbox's (UID and modseq): every writer takes them in this order. The
    /// companions' rows are written last, with the message's header.
    static func index(
        _ db: any SQLDatabase, accountID: Int64, mailboxID: Int64, name: String, file: String, size: Int64, flags: [String],
        internalDate: Int64, deliveryKey: String?, enforceQuota: Bool, companions: [any MessageCompanion], header: [UInt8]
    ) async throws -> Outcome {
        guard
            let account = try await db.raw(
                """
                UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID) RETURNING used_bytes
                """
            ).first()
        else { throw StoreError.notProvisioned(accountID) }
        if let deliveryKey, let earlier = try await delivered(deliveryKey, in: db) { return .delivered(earlier) }
        if enforceQuota {
            let used = try account.decode(column: "used_bytes", as: Int64.self)
            let quota =
                try await db.raw("SELECT quota_bytes FROM account WHERE id = \(bind: accountID)").first(
                    decodingColumn: "quota_bytes", as: Int64.self) ?? 0
            if quota > 0 && used + size > quota { throw StoreError.overQuota(used: used, quota: quota, adding: size) }
        }
        guard
            let box = try await db.raw(
                """
                UPDATE mailbox SET uidnext = uidnext + 1, highest_modseq = highest_modseq + 1
                WHERE id = \(bind: mailboxID) AND account_id = \(bind: accountID)
                RETURNING uidnext, highest_modseq, uidvalidity
                """
            ).first()
        else { throw StoreError.noSuchMailbox(name) }
        let uidNext = try box.decode(column: "uidnext", as: Int64.self)
        guard let uid = UInt32(exactly: uidNext - 1), uidNext <= Int64(UInt32.max) else {
            throw StoreError.io("UID space of mailbox \(mailboxID) exhausted")
        }
        let modSeq = try box.decode(column: "highest_modseq", as: Int64.self)
        let columns = MessageFlags.Columns(flags)
        let messageID = try await db.raw(
            """
            INSERT INTO message (mailbox_id, uid, modseq, file, size, internal_date, flags, seen, deleted, delivery_key, created_at)
            VALUES (\(bind: mailboxID), \(bind: Int64(uid)), \(bind: modSeq), \(bind: file), \(bind: size), \(bind: internalDate),
                    \(bind: columns.text), \(bind: columns.seen), \(bind: columns.deleted), \(bind: deliveryKey), \(bind: UnixTime.now()))
            RETURNING id
            """
        ).first(decodingColumn: "id", as: Int64.self)
        if let messageID {
            let added = AddedMessage(
                id: messageID, mailboxID: mailboxID, internalDate: internalDate, size: size, header: header)
            for companion in companions { try await companion.added(db, added) }
        }
        try await db.raw(
            """
            UPDATE store_account SET used_bytes = used_bytes + \(bind: size), message_count = message_count + 1
            WHERE account_id = \(bind: accountID)
            """
        ).run()
        return .stored(
            AppendResult(
                mailboxID: mailboxID, uidValidity: try uint32(box, "uidvalidity"), uid: uid, modSeq: modSeq, size: size))
    }

    /// The message already stored under `deliveryKey`, if any.
    static func delivered(_ deliveryKey: String, in db: any SQLDatabase) async throws -> AppendResult? {
        guard
            let row = try await db.raw(
                """
                SELECT m.mailbox_id, m.uid, m.modseq, m.size, b.uidvalidity FROM message m
                JOIN mailbox b ON b.id = m.mailbox_id WHERE m.delivery_key = \(bind: deliveryKey)
                """
            ).first()
        else { return nil }
        return AppendResult(
            mailboxID: try row.decode(column: "mailbox_id", as: Int64.self), uidValidity: try uint32(row, "uidvalidity"),
            uid: try uint32(row, "uid"), modSeq: try row.decode(column: "modseq", as: Int64.self),
            size: try row.decode(column: "size", as: Int64.self))
    }

    /// The committed message whose file is `file`, if any.
    static func stored(file: String, mailboxID: Int64, in db: any SQLDatabase) async throws -> AppendResult? {
        guard
            let row = try await db.raw(
                """
                SELECT m.uid, m.modseq, m.size, b.uidvalidity FROM message m JOIN mailbox b ON b.id = m.mailbox_id
                WHERE m.mailbox_id = \(bind: mailboxID) AND m.file = \(bind: file)
                """
            ).first()
        else { return nil }
        return AppendResult(
            mailboxID: mailboxID, uidValidity: try uint32(row, "uidvalidity"), uid: try uint32(row, "uid"),
            modSeq: try row.decode(column: "modseq", as: Int64.self), size: try row.decode(column: "size", as: Int64.self))
    }

    /// Best-effort removal of a file that never got (or lost) its index row.
    static func remove(_ path: String) async {
        _ = try? await FileIO.blocking { try FileIO.removeTree(path) }
    }
}
