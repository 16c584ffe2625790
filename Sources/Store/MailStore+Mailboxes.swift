import Core
import SQLKit

extension MailStore {
    /// Deletes a mailbox with its messages (IMAP DELETE, RFC 9051 §6.3.4). INBOX cannot be
    /// deleted. The index rows go in one transaction that also takes the messages off the
    /// account's counters; the folder is removed from disk after the commit (a crash in between
    /// leaves an unindexed folder that nothing reads; a new mailbox never reuses a folder name
    /// because numbered folders carry a fresh UIDVALIDITY and readable ones are checked).
    /// With an `undeleteRetention`, the messages are recorded in `deleted_message` and the folder
    /// stays on disk while any kept message lives in it; the undelete purge removes it later.
    ///
    /// With `refusingInferiors`, a mailbox that has inferiors (`name<delimiter>…`) is not deleted
    /// (`StoreError.hasInferiors`), checked in the same transaction (RFC 9051 §6.3.5). Returns the
    /// deleted mailbox's id.
    @discardableResult
    public func deleteMailbox(accountID: Int64, name: String, refusingInferiors: Bool = false, delimiter: Character = "/")
        async throws -> Int64
    {
        let name = MaildirPath.canonicalMailboxName(name)
        guard name != "INBOX" else { throw StoreError.invalidMailboxName(name) }
        let removed = try await database.transaction { db -> (id: Int64, path: String?) in
            guard
                let account = try await db.raw(
                    """
                    UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID) RETURNING maildir
                    """
                ).first()
            else { throw StoreError.notProvisioned(accountID) }
            guard
                let box = try await db.raw(
                    """
                    SELECT id, name, folder FROM mailbox WHERE account_id = \(bind: accountID) AND name = \(bind: name)
                    """
                ).first()
            else { throw StoreError.noSuchMailbox(name) }
            let id = try box.decode(column: "id", as: Int64.self)
            let folder = try box.decode(column: "folder", as: String.self)
            if refusingInferiors {
                let prefix = name + String(delimiter)
                let names = try await db.raw("SELECT name FROM mailbox WHERE account_id = \(bind: accountID)").all()
                if try names.contains(where: { try $0.decode(column: "name", as: String.self).hasPrefix(prefix) }) {
                    throw StoreError.hasInferiors(name)
                }
            }
            let totals = try await db.raw(
                """
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM message WHERE mailbox_id = \(bind: id)
                """
            ).first()
            let count = try totals?.decode(column: "n", as: Int64.self) ?? 0
            let bytes = try totals?.decode(column: "bytes", as: Int64.self) ?? 0
            if self.undeleteRetention > 0 && count > 0 {
                try await Self.keepDeletedMailbox(
                    db, accountID: accountID, mailboxID: id, name: try box.decode(column: "name", as: String.self), folder: folder
                )
            }
            let keepsFolder = try await Self.holdsDeleted(db, accountID: accountID, folder: folder)
            try await db.raw("DELETE FROM expunged_message WHERE mailbox_id = \(bind: id)").run()
            try await db.raw("DELETE FROM message WHERE mailbox_id = \(bind: id)").run()
            try await db.raw("DELETE FROM mailbox WHERE id = \(bind: id)").run()
            try await db.raw(
                """
                UPDATE store_account SET used_bytes = used_bytes - \(bind: bytes), message_count = message_count - \(bind: count)
                WHERE account_id = \(bind: accountID)
                """
            ).run()
            let maildir = try account.decode(column: "maildir", as: String.self)
            let contained = !keepsFolder && !folder.isEmpty && MaildirPath.isContained(folder) && !folder.contains("/")
            return (id, contained ? self.folderPath(maildir: maildir, folder: folder) : nil)
        }
        if let path = removed.path { _ = try? await FileIO.blocking { try FileIO.removeTree(path) } }
        indexCache.forget(removed.id)
        notifier.changed(mailboxID: removed.id)
        logger.info("mailbox deleted", metadata: ["account": "\(accountID)", "mailbox": "\(name)"])
        return removed.id
    }

    /// Renames a mailbox and its inferiors (`old<delimiter>…` → `new<delimiter>…`) in the
    /// index; files do not move. With `creatingSuperiors`, superior names the new name needs are
    /// created in the same transaction (RFC 9051 §6.3.6). INBOX is handled by the caller (its
    /// messages move to a new mailbox and INBOX stays).
    public func renameMailbox(
        accountID: Int64, from old: String, to new: String, delimiter: Character = "/", creatingSuperiors: Bool = false
    ) async throws {
        let old = MaildirPath.canonicalMailboxName(old)
        let new = MaildirPath.canonicalMailboxName(new)
        guard old != "INBOX" else { throw StoreError.invalidMailboxName(old) }
        guard !new.isEmpty, new != "INBOX", !new.hasPrefix(old + String(delimiter)),
            !new.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw StoreError.invalidMailboxName(new) }
        let ids = try await database.transaction { db -> [Int64] in
            try await db.raw("UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID)").run()
            let rows = try await db.raw("SELECT id, name FROM mailbox WHERE account_id = \(bind: accountID)").all()
            var byName: [String: Int64] = [:]
            for row in rows {
                byName[try row.decode(column: "name", as: String.self)] = try row.decode(column: "id", as: Int64.self)
            }
            guard let id = byName[old] else { throw StoreError.noSuchMailbox(old) }
            let prefix = old + String(delimiter)
            var renames = [(id, new)]
            for (name, child) in byName where name.hasPrefix(prefix) {
                renames.append((child, new + String(delimiter) + name.dropFirst(prefix.count)))
            }
            let moving = Set(renames.map(\.0))
            for (_, target) in renames {
                if let holder = byName[target], !moving.contains(holder) { throw StoreError.mailboxExists(target) }
            }
            // Two passes, so a rename never collides with a name another row gives up.
            for (child, _) in renames {
                try await db.raw("UPDATE mailbox SET name = \(bind: "\u{1}rename-\(child)") WHERE id = \(bind: child)").run()
            }
            for (child, target) in renames {
                try await db.raw("UPDATE mailbox SET name = \(bind: target) WHERE id = \(bind: child)").run()
            }
            // Subscriptions follow the mailboxes they name (as Dovecot does).
            let oldNames = Dictionary(uniqueKeysWithValues: byName.map { ($1, $0) })
            var names = Set(byName.keys)
            for (child, target) in renames {
                guard let previous = oldNames[child] else { continue }
                names.remove(previous)
                names.insert(target)
                try await db.raw(
                    """
                    UPDATE mailbox_subscription SET name = \(bind: target)
                    WHERE account_id = \(bind: accountID) AND name = \(bind: previous)
                      AND NOT EXISTS (SELECT 1 FROM mailbox_subscription t WHERE t.account_id = \(bind: accountID) AND t.name = \(bind: target))
                    """
                ).run()
            }
            let levels = new.split(separator: delimiter)
            for depth in 1..<max(1, levels.count) where creatingSuperiors {
                let parent = MaildirPath.canonicalMailboxName(levels[..<depth].joined(separator: String(delimiter)))
                guard parent != "INBOX", names.insert(parent).inserted else { continue }
                _ = try await self.insertMailbox(db, accountID: accountID, name: parent, specialUse: nil, subscribe: false)
            }
            return Array(moving)
        }
        for id in ids { notifier.changed(mailboxID: id) }
    }

    /// Subscribes to a name or unsubscribes (IMAP SUBSCRIBE/UNSUBSCRIBE, RFC 9051 §6.3.7, §6.3.8).
    /// The name need not exist: a subscription outlives its mailbox.
    public func setSubscribed(accountID: Int64, name: String, _ subscribed: Bool) async throws {
        let name = MaildirPath.canonicalMailboxName(name)
        try await database.transaction { db in
            if subscribed {
                try await db.raw(
                    """
                    INSERT INTO mailbox_subscription (account_id, name) VALUES (\(bind: accountID), \(bind: name))
                    ON CONFLICT DO NOTHING
                    """
                ).run()
            } else {
                try await db.raw(
                    """
                    DELETE FROM mailbox_subscription WHERE account_id = \(bind: accountID) AND name = \(bind: name)
                    """
                ).run()
            }
        }
    }

    /// The account's subscribed names, sorted (some may name no mailbox).
    public func subscriptions(accountID: Int64) async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("SELECT name FROM mailbox_subscription WHERE account_id = \(bind: accountID) ORDER BY name")
                .all().map { try $0.decode(column: "name", as: String.self) }
        }
    }
}
