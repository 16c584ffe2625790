import Core
import Directory
import Store

/// A message the user deleted that the site still keeps (docs/undelete.md), as the "Recently
/// deleted" page lists it.
public struct RecentlyDeletedMessage: Sendable {
    public var message: DeletedMessage
    /// Sender and subject, read from the kept file's header (empty when it cannot be read).
    public var summary: HeaderSummary
}

/// The user's recently deleted messages: the newest that match, and what the page needs around them.
public struct RecentlyDeleted: Sendable {
    public var items: [RecentlyDeletedMessage]
    /// More matched than listed (the oldest were left out).
    public var truncated: Bool
    /// The folders the user has kept messages of, by name.
    public var folders: [String]
    /// `[store] undelete_retention`, in seconds: how long a deleted message is kept.
    public var retention: Int64
}

extension Webmail {
    /// Most kept messages the page lists.
    public static let maxRecentlyDeleted = 200

    /// The account's messages kept for undelete, newest deletion first, of `folder` when given,
    /// at most `maxRecentlyDeleted`.
    public func recentlyDeleted(_ account: Account, folder: String? = nil) async throws -> RecentlyDeleted {
        if let folder, folder.utf8.count > WebmailLimits.folderNameBytes { throw WebmailError.noSuchFolder(folder) }
        let all = try await store.deletedMessages(accountID: account.id, filter: DeletedMessageFilter(mailbox: folder))
        let newest = Array(all.reversed().prefix(Self.maxRecentlyDeleted))
        let headers = try await store.deletedMessageHeaders(accountID: account.id, ids: newest.map(\.id))
        let folders = folder == nil ? all : try await store.deletedMessages(accountID: account.id)
        return RecentlyDeleted(
            items: newest.map { RecentlyDeletedMessage(message: $0, summary: HeaderSummary(header: headers[$0.id] ?? [])) },
            truncated: all.count > newest.count, folders: Array(Set(folders.map(\.mailboxName))).sorted(),
            retention: store.undeleteRetention)
    }

    /// Puts the user's kept messages `ids` back into the folders they were deleted from, with
    /// their flags (`MailStore.restoreDeleted`); the messages restored.
    public func restoreDeleted(_ account: Account, ids: [Int64]) async throws -> [RestoredMessage] {
        guard !ids.isEmpty else { throw WebmailError.invalid("Select at least one message to restore.") }
        guard ids.count <= Self.maxRecentlyDeleted else {
            throw WebmailError.invalid("Select at most \(Self.maxRecentlyDeleted) messages at once.")
        }
        return try await store.restoreDeleted(accountID: account.id, filter: DeletedMessageFilter(ids: ids))
    }

    /// Puts every kept message of the user's folder `folder` back.
    public func restoreDeleted(_ account: Account, folder: String) async throws -> [RestoredMessage] {
        guard !folder.isEmpty, folder.utf8.count <= WebmailLimits.folderNameBytes else {
            throw WebmailError.invalid("Choose a folder to restore.")
        }
        return try await store.restoreDeleted(accountID: account.id, filter: DeletedMessageFilter(mailbox: folder))
    }
}
