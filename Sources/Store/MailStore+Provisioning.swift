import Core
import Directory
import SQLKit

extension MailStore: AccountProvisioner {
    /// Creates the account's maildir and its INBOX, Sent, Drafts, Junk, Trash and Archive.
    /// Idempotent: re-creates only what is missing (a special-use mailbox counts as present when
    /// any mailbox carries its attribute, so a renamed Sent is not duplicated).
    public func provision(account: Account) async throws {
        let computed = try MaildirPath.accountDirectory(address: account.address)
        let holders = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT s.account_id, s.maildir, a.id AS live FROM store_account s LEFT JOIN account a ON a.id = s.account_id
                WHERE s.account_id = \(bind: account.id) OR s.maildir = \(bind: computed)
                """
            ).all()
        }
        var maildir = computed
        for row in holders {
            let holder = try row.decode(column: "account_id", as: Int64.self)
            if holder == account.id {
                maildir = try row.decode(column: "maildir", as: String.self)
            } else if try Self.optional(row, "live", as: Int64.self) != nil {
                throw StoreError.io("maildir \(computed) belongs to account \(holder)")
            } else {
                // A deleted account with the same address whose mail was never removed.
                logger.warning(
                    "removing the mail of a deleted account", metadata: ["account": "\(holder)", "maildir": "\(computed)"])
                try await deprovision(accountID: holder)
            }
        }
        let chosen = maildir
        let base = absolute(maildir: chosen)
        try await FileIO.blocking {
            try FileIO.makeDirectories(base)
            var createdAny = false
            for sub in ["cur", "new", "tmp"] { createdAny = try FileIO.makeDirectory(base + "/" + sub) || createdAny }
            if createdAny { try FileIO.syncDirectory(base) }
        }
        let created = try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO store_account (account_id, maildir, used_bytes, message_count, last_uidvalidity, created_at)
                VALUES (\(bind: account.id), \(bind: chosen), 0, 0, 0, \(bind: UnixTime.now())) ON CONFLICT DO NOTHING
                """
            ).run()
            // Lock the account's row first, so concurrent provisionings of one account serialise.
            try await db.raw(
                "UPDATE store_account SET last_uidvalidity = last_uidvalidity WHERE account_id = \(bind: account.id)"
            ).run()
            let present = try await db.raw("SELECT name, special_use FROM mailbox WHERE account_id = \(bind: account.id)").all()
            let names = Set(try present.map { try $0.decode(column: "name", as: String.self) })
            let uses = Set(try present.compactMap { try Self.optional($0, "special_use", as: String.self) })
            var created: [String] = []
            if !names.contains("INBOX") {
                _ = try await self.insertMailbox(db, accountID: account.id, name: "INBOX", specialUse: nil, subscribe: true)
                created.append("INBOX")
            }
            for use in SpecialUse.allCases where !uses.contains(use.rawValue) && !names.contains(use.defaultName) {
                _ = try await self.insertMailbox(
                    db, accountID: account.id, name: use.defaultName, specialUse: use, subscribe: true)
                created.append(use.defaultName)
            }
            return created
        }
        if !created.isEmpty {
            logger.info("mail store provisioned", metadata: ["account": "\(account.id)", "created": "\(created)"])
        }
    }

    /// Creates a mailbox. Its folder is `.<name>` when the name is plain (`[A-Za-z0-9_-]`,
    /// at most 64 bytes) and the folder is free, else `.~<uidvalidity>`; the name → folder
    /// mapping lives in the index, so renaming later never moves files.
    @discardableResult
    /// IMAP CREATE does not subscribe (RFC 9051 §6.3.4); `subscribe` does it in the same transaction.
    public func createMailbox(accountID: Int64, name: String, specialUse: SpecialUse? = nil, subscribe: Bool = false)
        async throws -> MailboxInfo
    {
        let name = try Self.validMailboxName(name)
        return try await database.transaction { db in
            try await self.insertMailbox(db, accountID: accountID, name: name, specialUse: specialUse, subscribe: subscribe)
        }
    }

    /// Inside a transaction: allocates a UIDVALIDITY (which also locks the account's row, so
    /// creations of one account are serialised), picks and creates the folder, inserts the row.
    func insertMailbox(_ db: any SQLDatabase, accountID: Int64, name: String, specialUse: SpecialUse?, subscribe: Bool)
        async throws -> MailboxInfo
    {
        let now = UnixTime.now()
        guard
            let account = try await db.raw(
                """
                UPDATE store_account SET last_uidvalidity =
                  CASE WHEN last_uidvalidity + 1 > \(bind: now) THEN last_uidvalidity + 1 ELSE \(bind: now) END
                WHERE account_id = \(bind: accountID) RETURNING last_uidvalidity, maildir
                """
            ).first()
        else { throw StoreError.notProvisioned(accountID) }
        let uidValidity = try Self.uint32(account, "last_uidvalidity")
        guard uidValidity != 0 else { throw StoreError.io("UIDVALIDITY space exhausted for account \(accountID)") }
        let maildir = try account.decode(column: "maildir", as: String.self)
        if try await db.raw("SELECT id FROM mailbox WHERE account_id = \(bind: accountID) AND name = \(bind: name)").first()
            != nil
        {
            throw StoreError.mailboxExists(name)
        }
        var folder = MaildirPath.readableFolder(for: name) ?? MaildirPath.numberedFolder(uidValidity: uidValidity)
        if !folder.isEmpty,
            try await db.raw(
                """
                SELECT id FROM mailbox WHERE account_id = \(bind: accountID) AND LOWER(folder) = \(bind: folder.lowercased())
                """
            ).first() != nil
        {
            folder = MaildirPath.numberedFolder(uidValidity: uidValidity)
        }
        // A readable folder still on disk belongs to a deleted mailbox whose files are being removed
        // (`deleteMailbox` removes them after its commit) or were left by a crash: never reuse it, or
        // that removal would take the new mailbox's files, and old files would sit among the new.
        // The numbered folder is new: UIDVALIDITY never repeats within an account.
        if !folder.isEmpty, folder != MaildirPath.numberedFolder(uidValidity: uidValidity),
            try await FileIO.blocking({ [path = folderPath(maildir: maildir, folder: folder)] in FileIO.exists(path) })
        {
            folder = MaildirPath.numberedFolder(uidValidity: uidValidity)
        }
        if !folder.isEmpty {
            let path = folderPath(maildir: maildir, folder: folder)
            let parent = absolute(maildir: maildir)
            try await FileIO.blocking {
                // A numbered folder may exist, empty, from a rolled-back creation with this UIDVALIDITY.
                if try FileIO.makeDirectory(path) { try FileIO.syncDirectory(parent) }
                for sub in ["cur", "new", "tmp"] { try FileIO.makeDirectory(path + "/" + sub) }
                try FileIO.touch(path + "/maildirfolder")
                try FileIO.syncDirectory(path)
            }
        }
        let id = try await db.raw(
            """
            INSERT INTO mailbox (account_id, name, folder, uidvalidity, uidnext, highest_modseq, special_use, subscribed, created_at)
            VALUES (\(bind: accountID), \(bind: name), \(bind: folder), \(bind: Int64(uidValidity)), 1, 1,
                    \(bind: specialUse?.rawValue), \(bind: true), \(bind: now))
            RETURNING id
            """
        ).first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StoreError.io("mailbox insert returned no id") }
        if subscribe {
            try await db.raw(
                """
                INSERT INTO mailbox_subscription (account_id, name) VALUES (\(bind: accountID), \(bind: name)) ON CONFLICT DO NOTHING
                """
            ).run()
        }
        return MailboxInfo(
            id: id, accountID: accountID, name: name, uidValidity: uidValidity, uidNext: 1, highestModSeq: 1,
            specialUse: specialUse, subscribed: subscribe, messageCount: 0, unseenCount: 0)
    }
}
