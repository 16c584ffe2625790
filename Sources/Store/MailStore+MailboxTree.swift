import Core
import NIOConcurrencyHelpers
import SQLKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension MailStore {
    /// IMAP CREATE (RFC 9051 §6.3.4): the mailbox and every superior name it needs (`a/b/c` makes
    /// `a` and `a/b` when missing), in one transaction, so a failure leaves no superior behind.
    /// Returns the mailboxes created, superiors first. Throws `mailboxExists` when the name exists and
    /// `invalidMailboxName` for INBOX or a name that cannot be a mailbox name. Not subscribed (§6.3.4).
    public func createMailboxTree(accountID: Int64, name: String, specialUse: SpecialUse? = nil, delimiter: Character = "/")
        async throws -> [MailboxInfo]
    {
        let name = try Self.validMailboxName(name)
        guard name != "INBOX" else { throw StoreError.invalidMailboxName(name) }
        return try await database.transaction { db in
            try await self.insertMailboxTree(db, accountID: accountID, name: name, specialUse: specialUse, delimiter: delimiter)
        }
    }

    /// RENAME of INBOX (RFC 9051 §6.3.6): every message of INBOX moves to a new mailbox `name`
    /// (created with its superiors), and INBOX stays, empty. One transaction creates the mailboxes,
    /// indexes the moved messages there and removes them from INBOX (recorded as expunged), so a
    /// failure leaves everything as it was. The message files are hard-linked into the new folder
    /// inside it (the folder is made by the same transaction); INBOX's links go after the commit.
    @discardableResult
    public func renameInbox(accountID: Int64, to name: String, delimiter: Character = "/") async throws -> CopyResult {
        let name = try Self.validMailboxName(name)
        guard name != "INBOX" else { throw StoreError.mailboxExists(name) }
        let links = NIOLockedValueBox<[String]>([])
        let (plan, result): (CopyPlan, CopyResult)
        do {
            (plan, result) = try await database.transaction { db in
                _ = try await self.insertMailboxTree(
                    db, accountID: accountID, name: name, specialUse: nil, delimiter: delimiter)
                guard
                    let inbox = try await db.raw(
                        """
                        SELECT id FROM mailbox WHERE account_id = \(bind: accountID) AND name = 'INBOX'
                        """
                    ).first(decodingColumn: "id", as: Int64.self)
                else { throw StoreError.noSuchMailbox("INBOX") }
                let uids = try await db.raw("SELECT uid FROM message WHERE mailbox_id = \(bind: inbox)").all()
                    .map { try Self.uint32($0, "uid") }
                let plan = try await self.copyPlan(db, source: inbox, uids: uids, destination: name)
                guard !plan.rows.isEmpty else {
                    let empty = CopyResult(
                        destinationID: plan.destinationID, uidValidity: plan.uidValidity, sourceUIDs: [], destinationUIDs: [])
                    return (plan, empty)
                }
                let files = try await FileIO.blocking { [writer] in try plan.makeLinks(namer: writer.namer) }
                links.withLockedValue { $0 = files.compactMap { $0.map { plan.destinationFolderPath + "/" + $0 } } }
                return (plan, try await Self.indexCopy(db, plan: plan, files: files, move: true, companions: self.companions))
            }
        } catch {
            let paths = links.withLockedValue { $0 }
            if !paths.isEmpty { _ = try? await FileIO.blocking { for path in paths { unlink(path) } } }
            throw error
        }
        let moved = Set(result.sourceUIDs)
        let paths = plan.rows.filter { moved.contains($0.uid) }.map(\.path)
        if !paths.isEmpty { _ = try? await FileIO.blocking { for path in paths { unlink(path) } } }
        notifier.changed(mailboxID: plan.sourceID)
        notifier.changed(mailboxID: plan.destinationID)
        return result
    }

    /// The inserts of `createMailboxTree`, inside the caller's transaction.
    private func insertMailboxTree(
        _ db: any SQLDatabase, accountID: Int64, name: String, specialUse: SpecialUse?, delimiter: Character
    ) async throws -> [MailboxInfo] {
        // The account row first, as every mailbox creation does: creations of one account are serialised,
        // so what is checked here still holds at the inserts.
        guard
            try await db.raw(
                """
                UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID) RETURNING account_id
                """
            ).first() != nil
        else { throw StoreError.notProvisioned(accountID) }
        let rows = try await db.raw("SELECT name FROM mailbox WHERE account_id = \(bind: accountID)").all()
        let existing = Set(try rows.map { try $0.decode(column: "name", as: String.self) })
        guard !existing.contains(name) else { throw StoreError.mailboxExists(name) }
        var created: [MailboxInfo] = []
        let levels = name.split(separator: delimiter)
        for depth in 1..<max(1, levels.count) {
            let parent = MaildirPath.canonicalMailboxName(levels[..<depth].joined(separator: String(delimiter)))
            guard parent != "INBOX", !existing.contains(parent) else { continue }
            created.append(try await insertMailbox(db, accountID: accountID, name: parent, specialUse: nil, subscribe: false))
        }
        created.append(try await insertMailbox(db, accountID: accountID, name: name, specialUse: specialUse, subscribe: false))
        return created
    }

    /// A mailbox name as stored (INBOX canonical), or `invalidMailboxName` when it cannot be one:
    /// empty, over 1000 bytes, or holding control characters.
    static func validMailboxName(_ name: String) throws -> String {
        let name = MaildirPath.canonicalMailboxName(name)
        guard !name.isEmpty, name.utf8.count <= 1000,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw StoreError.invalidMailboxName(name) }
        return name
    }
}
