import Core
import Directory
import Foundation
import SQLKit
import Store

/// A folder as the folder list shows it.
public struct WebFolder: Sendable, Hashable {
    /// The mailbox name (`/` separates levels), as IMAP clients see it.
    public var name: String
    public var specialUse: SpecialUse?
    public var total: Int
    public var unseen: Int
    /// Levels below the top (`a/b` is 1), for indenting.
    public var depth: Int
    /// The last level of the name.
    public var label: String { name.split(separator: "/").last.map(String.init) ?? name }
    /// INBOX and special-use folders cannot be renamed or deleted here.
    public var isSystem: Bool { name == "INBOX" || specialUse != nil }

    init(_ box: MailboxInfo) {
        name = box.name
        specialUse = box.specialUse
        total = box.messageCount
        unseen = box.unseenCount
        depth = box.name.filter { $0 == "/" }.count
    }
}

extension Webmail {
    /// Special-use folders in the order the list shows them, after INBOX.
    static let specialOrder: [SpecialUse] = [.drafts, .sent, .archive, .junk, .trash]

    /// The account's folders: INBOX, the special-use folders, then the others by name, with
    /// message and unread counts.
    public func folders(_ account: Account) async throws -> [WebFolder] {
        let boxes = try await store.mailboxes(accountID: account.id)
        func rank(_ box: MailboxInfo) -> Int {
            if box.name == "INBOX" { return 0 }
            if let use = box.specialUse, let index = Self.specialOrder.firstIndex(of: use) { return 1 + index }
            return 10
        }
        return boxes.sorted { (rank($0), $0.name.lowercased()) < (rank($1), $1.name.lowercased()) }.map(WebFolder.init)
    }

    /// Creates a folder (and the levels above it that are missing).
    public func createFolder(_ account: Account, name: String) async throws {
        let name = try Self.folderName(name)
        do {
            _ = try await store.createMailboxTree(accountID: account.id, name: name)
        } catch StoreError.mailboxExists {
            throw WebmailError.invalid("A folder \"\(name)\" exists already.")
        } catch StoreError.invalidMailboxName {
            throw WebmailError.invalid("\"\(name)\" cannot be a folder name.")
        }
    }

    /// Renames a folder and the folders inside it. INBOX and special-use folders keep their names.
    public func renameFolder(_ account: Account, from old: String, to new: String) async throws {
        let box = try await mailbox(account, old)
        guard box.name != "INBOX", box.specialUse == nil else {
            throw WebmailError.invalid("\"\(box.name)\" is a system folder: it keeps its name.")
        }
        let new = try Self.folderName(new)
        guard try await store.mailbox(accountID: account.id, name: new) == nil else {
            throw WebmailError.invalid("A folder \"\(new)\" exists already.")
        }
        do {
            try await store.renameMailbox(accountID: account.id, from: box.name, to: new, creatingSuperiors: true)
        } catch StoreError.invalidMailboxName, StoreError.mailboxExists {
            throw WebmailError.invalid("\"\(new)\" cannot be a new name for \"\(box.name)\".")
        }
    }

    /// Deletes a folder with its messages. INBOX, special-use folders and folders with folders
    /// inside them are kept.
    public func deleteFolder(_ account: Account, name: String) async throws {
        let box = try await mailbox(account, name)
        guard box.name != "INBOX", box.specialUse == nil else {
            throw WebmailError.invalid("\"\(box.name)\" is a system folder: it cannot be deleted.")
        }
        do {
            try await store.deleteMailbox(accountID: account.id, name: box.name, refusingInferiors: true)
        } catch StoreError.hasInferiors {
            throw WebmailError.invalid("\"\(box.name)\" has folders inside it: delete or move those first.")
        }
    }

    /// A folder name typed in a form: trimmed, levels separated by `/`, no empty level, no control
    /// characters, not INBOX, within `WebmailLimits.folderNameBytes`.
    static func folderName(_ typed: String) throws -> String {
        let name = typed.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= WebmailLimits.folderNameBytes else {
            throw WebmailError.invalid("A folder name has 1 to \(WebmailLimits.folderNameBytes) characters.")
        }
        guard
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" || $0 == "*" || $0 == "%" }),
            !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0.hasPrefix(".") })
        else {
            throw WebmailError.invalid(
                "A folder name cannot hold control characters, \\, *, %, an empty level or a level starting with a dot.")
        }
        guard name.uppercased() != "INBOX" else { throw WebmailError.invalid("INBOX exists always.") }
        return name
    }
}
