import Core
import Directory
import Foundation
import Store

/// Imports the Maildir++ trees of a Dovecot site into existing Posta accounts, keeping what clients
/// know: each mailbox's UIDVALIDITY, UIDs and next UID (`dovecot-uidlist`), flags and keywords (file names,
/// `dovecot-keywords`), INTERNALDATE (file mtimes), subscriptions and POP3 UIDLs. Idempotent: a second run
/// stores nothing twice. A dry run reads the same files and the index, and writes nothing.
///
/// The order of work per user: INBOX, then the folders by name, then the subscriptions.
public struct DovecotMaildirImporter: Sendable {
    public struct Options: Sendable {
        public var layout: MaildirLayout
        public var dryRun: Bool
        /// The old server's `pop3_uidl_format`, for uidlists whose records and header carry none.
        public var pop3UIDLFormat: String
        /// Only these addresses (lowercased), or all found.
        public var onlyUsers: Set<String>?

        public init(
            layout: MaildirLayout = MaildirLayout(MaildirLayout.defaultPattern)!, dryRun: Bool = false,
            pop3UIDLFormat: String = DovecotPOP3UIDLFormat.defaultFormat, onlyUsers: Set<String>? = nil
        ) {
            self.layout = layout
            self.dryRun = dryRun
            self.pop3UIDLFormat = pop3UIDLFormat
            self.onlyUsers = onlyUsers
        }
    }

    let store: MailStore
    let directory: Directory
    let decodeModifiedUTF7: @Sendable (String) -> String?

    /// `decodeModifiedUTF7` turns a stored folder level into Unicode (IMAP's `ModifiedUTF7.decode`).
    public init(store: MailStore, directory: Directory, decodeModifiedUTF7: @escaping @Sendable (String) -> String?) {
        self.store = store
        self.directory = directory
        self.decodeModifiedUTF7 = decodeModifiedUTF7
    }

    /// Imports every user the layout finds under `root`.
    public func run(root: String, options: Options) async throws -> MaildirImportSummary {
        var summary = MaildirImportSummary(dryRun: options.dryRun, users: [], skippedUsers: [])
        for found in options.layout.users(root: root) {
            if let only = options.onlyUsers, !only.contains(found.address.lowercased()) { continue }
            guard let account = try await accountOrNil(found.address) else {
                summary.skippedUsers.append(
                    MaildirImportSkip(found.address, "no Posta account with this address (create it first): not imported"))
                continue
            }
            summary.users.append(try await importUser(account, maildir: found.maildir, options: options))
        }
        return summary
    }

    private func accountOrNil(_ address: String) async throws -> Account? {
        do {
            return try await directory.account(address)
        } catch is DirectoryError {
            return nil  // not an address Posta accepts
        }
    }

    /// One user's Maildir into one account.
    public func importUser(_ account: Account, maildir: String, options: Options) async throws
        -> MaildirImportSummary.User
    {
        var user = MaildirImportSummary.User(
            address: account.address, maildir: maildir, mailboxes: [], subscriptionsAdded: 0, skipped: [])
        if !options.dryRun { try await store.provision(account: account) }
        var folders: [(name: String, path: String)] = [("INBOX", maildir)]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []
        for entry in entries.sorted() where entry.hasPrefix(".") && entry != "." && entry != ".." {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: maildir + "/" + entry, isDirectory: &isDirectory),
                isDirectory.boolValue
            else { continue }
            let parsed = MaildirFolderName.parse(entry, decodeModifiedUTF7: decodeModifiedUTF7)
            for problem in parsed.problems { user.skipped.append(MaildirImportSkip("folder \(entry)", problem.reason)) }
            guard let folder = parsed.value else { continue }
            let name = folder.levels.joined(separator: "/")
            guard name.uppercased() != "INBOX" else {
                user.skipped.append(MaildirImportSkip("folder \(entry)", "a folder named INBOX beside the INBOX: skipped"))
                continue
            }
            folders.append((name, maildir + "/" + entry))
        }
        for folder in folders {
            let read = DovecotMaildirFolder.read(name: folder.name, path: folder.path, pop3UIDLFormat: options.pop3UIDLFormat)
            user.skipped += read.problems
            user.mailboxes.append(try await importFolder(read, account: account, options: options, skipped: &user.skipped))
        }
        user.subscriptionsAdded = try await importSubscriptions(
            account: account, maildir: maildir, options: options, skipped: &user.skipped)
        return user
    }

    private func importFolder(
        _ read: DovecotMaildirFolder, account: Account, options: Options, skipped: inout [MaildirImportSkip]
    ) async throws -> MaildirImportSummary.Mailbox {
        var box = MaildirImportSummary.Mailbox(
            name: read.name, action: "new-uids", uidValidity: read.uidList?.uidValidity, nextUID: read.uidList?.nextUID,
            imported: 0, alreadyPresent: 0, skipped: 0, bytes: 0)
        let existing = try await store.mailbox(accountID: account.id, name: read.name)
        var mailboxID = existing?.id
        var state = MailboxImportState()
        if let list = read.uidList {
            let disposition =
                options.dryRun
                ? MailboxImportDisposition.decide(existing: existing, uidValidity: list.uidValidity)
                : try await store.importMailbox(
                    accountID: account.id, name: read.name, uidValidity: list.uidValidity, uidNext: list.nextUID)
            switch disposition {
            case .refuse(let reason):
                box.action = "refuse"
                box.skipped = read.messages.count
                skipped.append(MaildirImportSkip("mailbox \(read.name)", reason + ": not imported"))
                return box
            case .create: box.action = "create"
            case .adopt(let id):
                box.action = "adopt"
                mailboxID = id
            case .resume(let id):
                box.action = "resume"
                mailboxID = id
            }
            // What the mailbox holds, read once: the dry run's view of the UIDs and every run's check of
            // what is already there (`importMessage` still decides for itself). An adopted mailbox is empty.
            if case .resume(let id) = disposition {
                state = try await store.importState(mailboxID: id)
            }
            if !options.dryRun, mailboxID == nil {
                mailboxID = try await store.mailbox(accountID: account.id, name: read.name)?.id
            }
        } else if let existing {
            state = try await store.importState(mailboxID: existing.id)
        } else if !options.dryRun {
            mailboxID = try await store.createMailbox(accountID: account.id, name: read.name).id
        }
        for message in read.messages {
            let key = "maildir-import/\(account.id)/\(read.name)/\(message.baseName)"
            if state.deliveryKeys.contains(key) || message.uid.map({ state.imported.contains($0) }) == true {
                box.alreadyPresent += 1
                continue
            }
            guard let uid = message.uid else {
                // Not in dovecot-uidlist: a new UID, as Dovecot would give it.
                if !options.dryRun {
                    try await store.append(
                        accountID: account.id, mailbox: read.name, prefix: [], sourceFile: message.path,
                        flags: message.flags, internalDate: message.internalDate, deliveryKey: key, enforceQuota: false)
                }
                box.imported += 1
                box.bytes += message.size
                continue
            }
            if options.dryRun {
                if state.imported.contains(uid) {
                    box.alreadyPresent += 1
                } else if state.taken.contains(uid) {
                    box.skipped += 1
                    skipped.append(MaildirImportSkip("\(read.name): UID \(uid)", "UID \(uid) already holds another message"))
                } else if state.expunged.contains(uid) {
                    box.skipped += 1
                    skipped.append(MaildirImportSkip("\(read.name): UID \(uid)", "UID \(uid) was expunged in Posta"))
                } else {
                    box.imported += 1
                    box.bytes += message.size
                }
                continue
            }
            guard let target = mailboxID else { throw StoreError.noSuchMailbox(read.name) }
            let outcome = try await store.importMessage(
                MessageImport(
                    accountID: account.id, mailboxID: target, uid: uid, sourceFile: message.path, flags: message.flags,
                    internalDate: message.internalDate, pop3UIDL: message.pop3UIDL))
            switch outcome {
            case .imported(let size):
                box.imported += 1
                box.bytes += size
            case .alreadyImported: box.alreadyPresent += 1
            case .skipped(let reason):
                box.skipped += 1
                skipped.append(MaildirImportSkip("\(read.name): UID \(uid)", reason))
            }
        }
        return box
    }

    /// The root's `subscriptions` (Dovecot 2.x); returns how many names were (or would be) added.
    private func importSubscriptions(
        account: Account, maildir: String, options: Options, skipped: inout [MaildirImportSkip]
    ) async throws -> Int {
        guard let bytes = FileManager.default.contents(atPath: maildir + "/subscriptions") else { return 0 }
        let parsed = DovecotSubscriptions.parse(Array(bytes))
        for problem in parsed.problems { skipped.append(MaildirImportSkip("subscriptions", problem.description)) }
        let current = Set(try await store.subscriptions(accountID: account.id))
        var added = 0
        for levels in parsed.value.mailboxes {
            var decoded: [String] = []
            for level in levels {
                let level = MaildirFolderName.decodeLevel(level, using: decodeModifiedUTF7)
                for problem in level.problems { skipped.append(MaildirImportSkip("subscriptions", problem.reason)) }
                decoded.append(level.value)
            }
            var name = decoded.joined(separator: "/")
            if name.uppercased() == "INBOX" { name = "INBOX" }
            guard !current.contains(name) else { continue }
            if !options.dryRun { try await store.setSubscribed(accountID: account.id, name: name, true) }
            added += 1
        }
        return added
    }
}
