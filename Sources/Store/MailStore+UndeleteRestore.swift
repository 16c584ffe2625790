import Core
import SQLKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A kept message put back: the `deleted_message` row it came from and where it is now.
public struct RestoredMessage: Sendable, Equatable, Codable {
    public var id: Int64
    public var mailboxID: Int64
    public var mailboxName: String
    public var uid: UInt32
}

extension MailStore {
    /// Puts kept messages back (`posta undelete restore`), each into the mailbox it was in — the
    /// same mailbox when it still exists (renamed or not), else the one of its name, else a new
    /// one of that name (with superiors). Flags (but `\Deleted`) and internal date are kept; the UID is new
    /// (UIDs are never reused, RFC 9051 §2.3.1.1), and the bytes count against the account again
    /// (no quota check: a restore is an administrator's act).
    ///
    /// As in `copy`, each file is hard-linked into the target folder under a fresh name and the
    /// directory synced before one transaction per mailbox claims the rows (`restored_at`),
    /// allocates UIDs and inserts the message rows; the old names are unlinked after the commit.
    /// Idempotent: a row already restored (by this or a concurrent call) is skipped. Watchers of
    /// each target mailbox are notified. Returns the messages restored, by row id.
    @discardableResult
    public func restoreDeleted(accountID: Int64, filter: DeletedMessageFilter = .init()) async throws -> [RestoredMessage] {
        let kept = try await deletedMessages(accountID: accountID, filter: filter)
        var groups: [(mailboxID: Int64, name: String, messages: [DeletedMessage])] = []
        for message in kept {
            if let index = groups.firstIndex(where: { $0.mailboxID == message.mailboxID && $0.name == message.mailboxName }) {
                groups[index].messages.append(message)
            } else {
                groups.append((message.mailboxID, message.mailboxName, [message]))
            }
        }
        var restored: [RestoredMessage] = []
        for group in groups {
            restored += try await restore(
                accountID: accountID, mailboxID: group.mailboxID, name: group.name, ids: group.messages.map(\.id))
        }
        if !restored.isEmpty {
            logger.info("messages restored", metadata: ["account": "\(accountID)", "count": "\(restored.count)"])
        }
        return restored.sorted { $0.id < $1.id }
    }

    /// Restores the kept rows `ids`, all from one mailbox, into their target mailbox.
    private func restore(accountID: Int64, mailboxID: Int64, name: String, ids: [Int64]) async throws -> [RestoredMessage] {
        let target = try await restoreTarget(accountID: accountID, mailboxID: mailboxID, name: name)
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id, folder, file, size, internal_date, flags FROM deleted_message
                WHERE account_id = \(bind: accountID) AND restored_at IS NULL
                  AND id IN (\(binds: ids.map { $0 as any Encodable & Sendable }))
                ORDER BY id
                """
            ).all()
        }
        var plan = CopyPlan(
            accountID: accountID, sourceID: mailboxID, destinationID: target.id, uidValidity: target.uidValidity,
            destinationFolder: target.folder, destinationFolderPath: folderPath(maildir: target.maildir, folder: target.folder),
            rows: [])
        for row in rows {
            plan.rows.append(
                CopyPlan.Row(
                    id: try row.decode(column: "id", as: Int64.self), uid: 0,
                    size: try row.decode(column: "size", as: Int64.self),
                    internalDate: try row.decode(column: "internal_date", as: Int64.self),
                    flags: MessageFlags.decode(try row.decode(column: "flags", as: String.self)),
                    path: absolute(maildir: target.maildir, file: try row.decode(column: "file", as: String.self))))
        }
        guard !plan.rows.isEmpty else { return [] }
        let sourceFolder = try rows[0].decode(column: "folder", as: String.self)
        let linked = try await FileIO.blocking { [writer, plan] in try plan.makeLinks(namer: writer.namer) }
        let linkPaths = linked.map { $0.map { plan.destinationFolderPath + "/" + $0 } }
        var headers: [[UInt8]] = []
        for path in linkPaths {
            guard let path, !companions.isEmpty else {
                headers.append([])
                continue
            }
            headers.append((try? await MessageFileReader.readMessageHeader(path)) ?? [])
        }
        let claimed: [(row: CopyPlan.Row, uid: UInt32)]
        do {
            claimed = try await database.transaction { [companions, plan, headers] db in
                try await Self.indexRestore(db, plan: plan, files: linked, headers: headers, companions: companions)
            }
        } catch {
            _ = try? await FileIO.blocking { for case let path? in linkPaths { unlink(path) } }
            throw error
        }
        let done = Set(claimed.map(\.row.id))
        // Links of rows another restore took meanwhile are not indexed; the old names of the restored are no longer needed.
        let unused = zip(plan.rows, linkPaths).compactMap { row, path in done.contains(row.id) ? nil : path }
        let old = plan.rows.filter { done.contains($0.id) }.map(\.path)
        _ = try? await FileIO.blocking { for path in unused + old { unlink(path) } }
        guard !claimed.isEmpty else { return [] }
        // A deleted mailbox's folder goes with its last kept message.
        if sourceFolder != target.folder {
            try? await removeDeletedFolder(accountID, maildir: target.maildir, folder: sourceFolder)
        }
        notifier.changed(mailboxID: target.id)
        return claimed.map { RestoredMessage(id: $0.row.id, mailboxID: target.id, mailboxName: target.name, uid: $0.uid) }
    }

    /// The mailbox a kept message of `mailboxID`/`name` goes back to, created when neither exists.
    private func restoreTarget(accountID: Int64, mailboxID: Int64, name: String) async throws
        -> (id: Int64, name: String, folder: String, uidValidity: UInt32, maildir: String)
    {
        for attempt in 0..<2 {
            let row = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT b.id, b.name, b.folder, b.uidvalidity, s.maildir FROM mailbox b
                    JOIN store_account s ON s.account_id = b.account_id
                    WHERE b.account_id = \(bind: accountID) AND (b.id = \(bind: mailboxID) OR b.name = \(bind: name))
                    ORDER BY CASE WHEN b.id = \(bind: mailboxID) THEN 0 ELSE 1 END
                    """
                ).first()
            }
            if let row {
                return (
                    try row.decode(column: "id", as: Int64.self), try row.decode(column: "name", as: String.self),
                    try row.decode(column: "folder", as: String.self), try Self.uint32(row, "uidvalidity"),
                    try row.decode(column: "maildir", as: String.self)
                )
            }
            guard attempt == 0 else { break }
            do {
                _ = try await createMailboxTree(accountID: accountID, name: name)
            } catch StoreError.mailboxExists {
                // Created meanwhile by someone else: take it.
            }
        }
        throw StoreError.noSuchMailbox(name)
    }

    /// The restore's index transaction: lock order as in `append` (account row, then mailbox).
    private static func indexRestore(
        _ db: any SQLDatabase, plan: CopyPlan, files: [String?], headers: [[UInt8]], companions: [any MessageCompanion]
    ) async throws -> [(row: CopyPlan.Row, uid: UInt32)] {
        guard
            try await db.raw(
                """
                UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: plan.accountID) RETURNING account_id
                """
            ).first() != nil
        else { throw StoreError.notProvisioned(plan.accountID) }
        let now = UnixTime.now()
        var claimed: [(row: CopyPlan.Row, file: String, header: [UInt8])] = []
        for (index, row) in plan.rows.enumerated() {
            guard let file = files[index] else { continue }
            let taken = try await db.raw(
                """
                UPDATE deleted_message SET restored_at = \(bind: now), restored_mailbox_id = \(bind: plan.destinationID)
                WHERE id = \(bind: row.id) AND restored_at IS NULL RETURNING id
                """
            ).first()
            if taken != nil { claimed.append((row, file, headers[index])) }
        }
        guard !claimed.isEmpty else { return [] }
        let (first, modSeq) = try await Self.reserveUIDs(claimed.count, mailboxID: plan.destinationID, in: db)
        var result: [(row: CopyPlan.Row, uid: UInt32)] = []
        for (offset, item) in claimed.enumerated() {
            let uid = first + Int64(offset)
            let relative = plan.destinationFolder.isEmpty ? item.file : plan.destinationFolder + "/" + item.file
            // Without `\Deleted`, which would have the next EXPUNGE take it again.
            let columns = MessageFlags.Columns(item.row.flags.filter { $0.lowercased() != "\\deleted" })
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO message (mailbox_id, uid, modseq, file, size, internal_date, flags, seen, deleted, created_at)
                    VALUES (\(bind: plan.destinationID), \(bind: uid), \(bind: modSeq), \(bind: relative), \(bind: item.row.size),
                            \(bind: item.row.internalDate), \(bind: columns.text), \(bind: columns.seen), \(bind: columns.deleted),
                            \(bind: now))
                    RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int64.self)
            else { throw StoreError.io("restored message row not returned") }
            for companion in companions {
                try await companion.added(
                    db,
                    AddedMessage(
                        id: id, mailboxID: plan.destinationID, internalDate: item.row.internalDate, size: item.row.size,
                        header: item.header))
            }
            result.append((item.row, UInt32(uid)))
        }
        let bytes = claimed.reduce(Int64(0)) { $0 + $1.row.size }
        try await db.raw(
            """
            UPDATE store_account SET used_bytes = used_bytes + \(bind: bytes), message_count = message_count + \(bind: Int64(claimed.count))
            WHERE account_id = \(bind: plan.accountID)
            """
        ).run()
        return result
    }
}
