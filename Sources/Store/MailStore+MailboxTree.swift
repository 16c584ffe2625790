import Core
import SQLKit

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
            // The account row first, as every mailbox creation does: creations of one account are serialised,
            // so what is checked here still holds at the inserts.
            guard
                try await db.raw("""
                    UPDATE store_account SET used_bytes = used_bytes WHERE account_id = \(bind: accountID) RETURNING account_id
                    """).first() != nil
            else { throw StoreError.notProvisioned(accountID) }
            let rows = try await db.raw("SELECT name FROM mailbox WHERE account_id = \(bind: accountID)").all()
            let existing = Set(try rows.map { try $0.decode(column: "name", as: String.self) })
            guard !existing.contains(name) else { throw StoreError.mailboxExists(name) }
            var created: [MailboxInfo] = []
            let levels = name.split(separator: delimiter)
            for depth in 1..<max(1, levels.count) {
                let parent = MaildirPath.canonicalMailboxName(levels[..<depth].joined(separator: String(delimiter)))
                guard parent != "INBOX", !existing.contains(parent) else { continue }
                created.append(try await self.insertMailbox(db, accountID: accountID, name: parent, specialUse: nil, subscribe: false))
            }
            created.append(try await self.insertMailbox(db, accountID: accountID, name: name, specialUse: specialUse, subscribe: false))
            return created
        }
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
