import Core
import Directory
import Store

/// A kept (deleted) message as a person chooses it for restoring: the store's row with the
/// sender and subject read from its header.
public struct KeptMessage: Sendable, Codable {
    public var message: DeletedMessage
    /// The From field as written (empty when it has none).
    public var from: String
    /// The Subject field as written (empty when it has none).
    public var subject: String
}

/// One listing of an account's kept messages: the newest `limit` that match, and whether
/// older ones were left out.
public struct KeptMessages: Sendable {
    public var items: [KeptMessage]
    /// More messages matched than listed (the oldest were left out).
    public var truncated: Bool
    /// The folders the account has kept messages of, by name, for a folder filter.
    public var folders: [String]
    /// `[store] undelete_retention`, in seconds: how long a deleted message is kept.
    public var retention: Int64
}

extension AdminConsole {
    /// Most kept messages one listing returns.
    public static let maxKeptListed = 500

    /// The account's kept messages matching `filter`, newest deletion first, at most `limit`
    /// (bounded by `maxKeptListed`). An administrator needs `viewAccounts` in the account's
    /// domain; a mail user may list their own account only (self-service).
    public func keptMessages(
        as principal: Principal, address: String, _ filter: DeletedMessageFilter = .init(), limit: Int = maxKeptListed
    ) async throws -> KeptMessages {
        let account = try await keptAccount(principal, .viewAccounts, address)
        try Self.checkKeptFilter(filter)
        let all = try await store.deletedMessages(accountID: account.id, filter: filter)
        let bound = min(max(limit, 1), Self.maxKeptListed)
        let newest = Array(all.reversed().prefix(bound))
        let headers = try await store.deletedMessageHeaders(accountID: account.id, ids: newest.map(\.id))
        let items = newest.map { message in
            let fields = Self.headerFields(String(decoding: headers[message.id] ?? [], as: UTF8.self))
            func field(_ name: String) -> String { fields.first { $0.name.lowercased() == name }?.value ?? "" }
            return KeptMessage(message: message, from: field("from"), subject: field("subject"))
        }
        let folders = filter == .init() ? all : try await store.deletedMessages(accountID: account.id)
        return KeptMessages(
            items: items, truncated: all.count > newest.count, folders: Array(Set(folders.map(\.mailboxName))).sorted(),
            retention: store.undeleteRetention)
    }

    /// Puts the account's kept messages matching `filter` back into the folders they were
    /// deleted from (`MailStore.restoreDeleted`: flags kept, new UIDs). An empty filter restores
    /// them all. An administrator needs `enableAccounts` in the account's domain; a mail user
    /// may restore their own messages only. One audit row (`message.restore`) names the account,
    /// how many were restored and into which folders.
    @discardableResult
    public func restoreKept(as principal: Principal, address: String, _ filter: DeletedMessageFilter) async throws
        -> [RestoredMessage]
    {
        let account = try await keptAccount(principal, .enableAccounts, address)
        try Self.checkKeptFilter(filter)
        let restored = try await store.restoreDeleted(accountID: account.id, filter: filter)
        if !restored.isEmpty {
            await audit(
                principal, "message.restore", target: account.address.lowercased(),
                after: RestoreAuditView(
                    count: restored.count, folders: Array(Set(restored.map(\.mailboxName))).sorted(),
                    ids: Array(restored.map(\.id).prefix(100)), filter: filter))
        }
        return restored
    }

    /// The account `address` if the principal may act on its kept messages: an administrator
    /// with `permission` in its domain, or the mail user who owns it.
    private func keptAccount(_ principal: Principal, _ permission: Permission, _ address: String) async throws -> Account {
        if case .user = principal.identity {
            let own = try await own(principal)
            guard own.address.lowercased() == address.lowercased() else {
                throw AccessDenied(permission, domain: try Self.domain(of: address))
            }
            return own
        }
        return try await scopedAccount(principal, permission, address)
    }

    private static func checkKeptFilter(_ filter: DeletedMessageFilter) throws(AdminError) {
        if (filter.mailbox?.utf8.count ?? 0) > maxTextLength { throw .invalid("folder name too long") }
        if (filter.ids?.count ?? 0) > maxKeptListed { throw .invalid("at most \(maxKeptListed) messages at once") }
    }
}

/// A restore as the audit log records it.
struct RestoreAuditView: Encodable, Sendable {
    let count: Int
    let folders: [String]
    /// The first 100 restored `deleted_message` ids.
    let ids: [Int64]
    let folder: String?
    let since: Int64?

    init(count: Int, folders: [String], ids: [Int64], filter: DeletedMessageFilter) {
        self.count = count
        self.folders = folders
        self.ids = ids
        folder = filter.mailbox
        since = filter.since
    }
}
