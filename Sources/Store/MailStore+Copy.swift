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
    /// Copies (or moves) messages into another mailbox of the same account (IMAP COPY,
    /// RFC 9051 §6.4.7; MOVE, RFC 6851).
    ///
    /// Message files are immutable, so each copy is a hard link in the destination folder,
    /// synced before one transaction allocates consecutive UIDs there and inserts the rows.
    /// A move removes the source rows in that same transaction (recording them as expunged),
    /// so a message is never in both mailboxes or in neither; the source links are unlinked
    /// after the commit. A copy counts against the quota (`StoreError.overQuota`); a move does not.
    @discardableResult
    public func copy(mailboxID source: Int64, uids: [UInt32], to destination: String, move: Bool = false)
        async throws -> CopyResult
    {
        let destinationName = MaildirPath.canonicalMailboxName(destination)
        let wanted = Array(Set(uids)).sorted()
        let plan = try await database.withConnection { db in
            try await self.copyPlan(db, source: source, uids: wanted, destination: destinationName)
        }
        guard !plan.rows.isEmpty else {
            return CopyResult(
                destinationID: plan.destinationID, uidValidity: plan.uidValidity, sourceUIDs: [], destinationUIDs: [])
        }
        let linked = try await FileIO.blocking { [writer] in try plan.makeLinks(namer: writer.namer) }
        let result: CopyResult
        do {
            result = try await database.transaction { db in
                try await Self.indexCopy(db, plan: plan, files: linked, move: move, companions: self.companions)
            }
        } catch {
            let paths = linked.compactMap { $0.map { plan.destinationFolderPath + "/" + $0 } }
            _ = try? await FileIO.blocking { for path in paths { unlink(path) } }
            throw error
        }
        // Links made for messages that vanished before the transaction are not indexed: remove them.
        let copied = Set(result.sourceUIDs)
        let unused = zip(plan.rows, linked).compactMap { row, file in
            copied.contains(row.uid) ? nil : file.map { plan.destinationFolderPath + "/" + $0 }
        }
        if !unused.isEmpty { _ = try? await FileIO.blocking { for path in unused { unlink(path) } } }
        if move {
            let moved = Set(result.sourceUIDs)
            let paths = plan.rows.filter { moved.contains($0.uid) }.map(\.path)
            _ = try? await FileIO.blocking { for path in paths { unlink(path) } }
            notifier.changed(mailboxID: source)
        }
        notifier.changed(mailboxID: plan.destinationID)
        return result
    }

    func copyPlan(_ db: any SQLDatabase, source: Int64, uids: [UInt32], destination: String) async throws
        -> CopyPlan
    {
        guard
            let target = try await db.raw(
                """
                SELECT d.id, d.folder, d.uidvalidity, s.maildir, s.account_id FROM mailbox b
                JOIN mailbox d ON d.account_id = b.account_id AND d.name = \(bind: destination)
                JOIN store_account s ON s.account_id = b.account_id WHERE b.id = \(bind: source)
                """
            ).first()
        else { throw StoreError.noSuchMailbox(destination) }
        let maildir = try target.decode(column: "maildir", as: String.self)
        var plan = CopyPlan(
            accountID: try target.decode(column: "account_id", as: Int64.self), sourceID: source,
            destinationID: try target.decode(column: "id", as: Int64.self),
            uidValidity: try Self.uint32(target, "uidvalidity"),
            destinationFolder: try target.decode(column: "folder", as: String.self),
            destinationFolderPath: folderPath(maildir: maildir, folder: try target.decode(column: "folder", as: String.self)),
            rows: [])
        try await Self.forEachBatch(uids) { batch in
            let rows = try await db.raw(
                """
                SELECT id, uid, size, internal_date, flags, file FROM message
                WHERE mailbox_id = \(bind: source) AND uid IN (\(binds: batch))
                """
            ).all()
            for row in rows {
                plan.rows.append(
                    CopyPlan.Row(
                        id: try row.decode(column: "id", as: Int64.self), uid: try Self.uint32(row, "uid"),
                        size: try row.decode(column: "size", as: Int64.self),
                        internalDate: try row.decode(column: "internal_date", as: Int64.self),
                        flags: MessageFlags.decode(try row.decode(column: "flags", as: String.self)),
                        path: absolute(maildir: maildir, file: try row.decode(column: "file", as: String.self))))
            }
        }
        plan.rows.sort { $0.uid < $1.uid }
        return plan
    }

    /// The copy's index transaction. Lock order as in `append`: account row, then mailboxes. The
    /// companions copy their rows before a move deletes the source rows (and theirs with them).
    static func indexCopy(
        _ db: any SQLDatabase, plan: CopyPlan, files: [String?], move: Bool, companions: [any MessageCompanion]
    ) async throws -> CopyResult {
        guard
            let account = try await db.raw(
                """
                UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: plan.accountID) RETURNING used_bytes
                """
            ).first()
        else { throw StoreError.notProvisioned(plan.accountID) }
        // Only rows still present in the source are copied (another session may have expunged some).
        let present = Set(try await states(db, mailboxID: plan.sourceID, uids: plan.rows.map(\.uid)).map(\.uid))
        let pairs = zip(plan.rows, files).compactMap { row, file in
            file.map { (row, $0) }
        }.filter { present.contains($0.0.uid) }
        guard !pairs.isEmpty else {
            return CopyResult(
                destinationID: plan.destinationID, uidValidity: plan.uidValidity, sourceUIDs: [], destinationUIDs: [])
        }
        let bytes = pairs.reduce(Int64(0)) { $0 + $1.0.size }
        if !move {
            let used = try account.decode(column: "used_bytes", as: Int64.self)
            let quota =
                try await db.raw("SELECT quota_bytes FROM account WHERE id = \(bind: plan.accountID)").first(
                    decodingColumn: "quota_bytes", as: Int64.self) ?? 0
            if quota > 0 && used + bytes > quota { throw StoreError.overQuota(used: used, quota: quota, adding: bytes) }
        }
        let (first, modSeq) = try await Self.reserveUIDs(pairs.count, mailboxID: plan.destinationID, in: db)
        let now = UnixTime.now()
        var destinationUIDs: [UInt32] = []
        var copies: [(source: Int64, copy: Int64)] = []
        for (offset, (row, file)) in pairs.enumerated() {
            let uid = first + Int64(offset)
            destinationUIDs.append(UInt32(uid))
            let relative = plan.destinationFolder.isEmpty ? file : plan.destinationFolder + "/" + file
            let columns = MessageFlags.Columns(row.flags)
            let id = try await db.raw(
                """
                INSERT INTO message (mailbox_id, uid, modseq, file, size, internal_date, flags, seen, deleted, created_at)
                VALUES (\(bind: plan.destinationID), \(bind: uid), \(bind: modSeq), \(bind: relative), \(bind: row.size),
                        \(bind: row.internalDate), \(bind: columns.text), \(bind: columns.seen), \(bind: columns.deleted), \(bind: now))
                RETURNING id
                """
            ).first(decodingColumn: "id", as: Int64.self)
            if let id { copies.append((row.id, id)) }
        }
        for companion in companions {
            try await companion.copied(db, mailboxID: plan.destinationID, pairs: copies)
        }
        let sourceUIDs = pairs.map(\.0.uid)
        if move {
            try await db.raw("UPDATE mailbox SET highest_modseq = highest_modseq WHERE id = \(bind: plan.sourceID)").run()
            try await forEachBatch(sourceUIDs) { batch in
                try await db.raw("DELETE FROM message WHERE mailbox_id = \(bind: plan.sourceID) AND uid IN (\(binds: batch))")
                    .run()
            }
            let sourceModSeq = try await nextModSeq(db, mailboxID: plan.sourceID)
            try await recordExpunged(db, mailboxID: plan.sourceID, uids: sourceUIDs, modSeq: sourceModSeq)
        } else {
            try await db.raw(
                """
                UPDATE store_account SET used_bytes = used_bytes + \(bind: bytes), message_count = message_count + \(bind: Int64(pairs.count))
                WHERE account_id = \(bind: plan.accountID)
                """
            ).run()
        }
        return CopyResult(
            destinationID: plan.destinationID, uidValidity: plan.uidValidity, sourceUIDs: sourceUIDs,
            destinationUIDs: destinationUIDs)
    }
}

/// The messages a copy reads and where their links go.
struct CopyPlan: Sendable {
    struct Row: Sendable {
        /// The source message row's id.
        var id: Int64
        var uid: UInt32
        var size: Int64
        var internalDate: Int64
        var flags: [String]
        var path: String
    }

    var accountID: Int64
    var sourceID: Int64
    var destinationID: Int64
    var uidValidity: UInt32
    var destinationFolder: String
    var destinationFolderPath: String
    var rows: [Row]

    /// Hard-links every source file into the destination's `cur/` under a fresh name and syncs
    /// that directory; returns, row by row, the new name relative to the destination folder, or
    /// nil for a message whose file is already gone (expunged or moved by another session).
    func makeLinks(namer: MaildirFileNamer) throws(StoreError) -> [String?] {
        var made: [String?] = []
        do throws(StoreError) {
            for row in rows {
                let info = MessageFlags.maildirInfo(row.flags) ?? ""
                let relative = "cur/" + MaildirFileNamer.final(base: namer.next(), size: row.size, info: info)
                if link(row.path, destinationFolderPath + "/" + relative) == 0 {
                    made.append(relative)
                } else if errno == ENOENT {
                    made.append(nil)
                } else {
                    throw FileIO.error("link", row.path)
                }
            }
            try FileIO.syncDirectory(destinationFolderPath + "/cur")
        } catch {
            for case let relative? in made { unlink(destinationFolderPath + "/" + relative) }
            throw error
        }
        return made
    }
}
