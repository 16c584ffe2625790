import Core
import Directory
import Store

/// What the list's and the message page's buttons do.
public enum MessageAction: String, Sendable, CaseIterable {
    case markRead = "read"
    case markUnread = "unread"
    case flag
    case unflag
    /// To Trash; in Trash (or without one), removed for good.
    case delete
}

extension Webmail {
    /// Applies an action to messages of a folder. The store notifies every watcher (IMAP IDLE, other
    /// browser tabs). Returns how many messages it concerned.
    @discardableResult
    public func apply(_ action: MessageAction, _ account: Account, folder: String, uids: [UInt32]) async throws -> Int {
        let uids = try Self.selection(uids)
        let box = try await mailbox(account, folder)
        switch action {
        case .markRead: return try await flags(box, uids, .add, "\\Seen")
        case .markUnread: return try await flags(box, uids, .remove, "\\Seen")
        case .flag: return try await flags(box, uids, .add, "\\Flagged")
        case .unflag: return try await flags(box, uids, .remove, "\\Flagged")
        case .delete:
            let trash = try await store.mailboxName(accountID: account.id, specialUse: .trash)
            if let trash, trash != box.name {
                return try await store.copy(mailboxID: box.id, uids: uids, to: trash, move: true).sourceUIDs.count
            }
            return try await store.expunge(mailboxID: box.id, uids: uids).count
        }
    }

    /// Moves messages to another folder of the same account.
    @discardableResult
    public func move(_ account: Account, folder: String, uids: [UInt32], to destination: String) async throws -> Int {
        let uids = try Self.selection(uids)
        let box = try await mailbox(account, folder)
        let target = try await mailbox(account, destination)
        guard target.id != box.id else { return 0 }
        return try await store.copy(mailboxID: box.id, uids: uids, to: target.name, move: true).sourceUIDs.count
    }

    /// Sets a flag the reply and forward pages set on the original (`\Answered`, `$Forwarded`, RFC 5788).
    public func mark(_ account: Account, folder: String, uid: UInt32, flag: String) async throws {
        let box = try await mailbox(account, folder)
        _ = try await flags(box, [uid], .add, flag)
    }

    private func flags(_ box: MailboxInfo, _ uids: [UInt32], _ operation: FlagOperation, _ flag: String) async throws -> Int {
        try await store.storeFlags(mailboxID: box.id, uids: uids, operation: operation, flags: [flag]).messages.count
    }

    static func selection(_ uids: [UInt32]) throws -> [UInt32] {
        guard !uids.isEmpty else { throw WebmailError.invalid("Select at least one message.") }
        guard uids.count <= WebmailLimits.selection else {
            throw WebmailError.invalid("Select at most \(WebmailLimits.selection) messages at a time.")
        }
        return uids
    }
}
