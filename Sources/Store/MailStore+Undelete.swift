import Core
import SQLKit

/// A message kept for undelete (`deleted_message`): expunged, or in a mailbox that was deleted.
public struct DeletedMessage: Sendable, Equatable, Codable {
    /// The `deleted_message` row; what `restoreDeleted(ids:)` takes.
    public var id: Int64
    /// The mailbox it was in (it may be gone).
    public var mailboxID: Int64
    public var mailboxName: String
    public var size: Int64
    public var internalDate: Int64
    public var flags: [String]
    /// Seconds since 1970.
    public var deletedAt: Int64
    /// Whether it went with its mailbox (IMAP DELETE) rather than by an expunge.
    public var folderDeleted: Bool
}

/// Which kept messages a listing or a restore takes: all of the account's, or those of one
/// mailbox name, deleted at or after `since`, with one of `ids`.
public struct DeletedMessageFilter: Sendable, Equatable {
    public var mailbox: String?
    public var since: Int64?
    public var ids: [Int64]?

    public init(mailbox: String? = nil, since: Int64? = nil, ids: [Int64]? = nil) {
        self.mailbox = mailbox
        self.since = since
        self.ids = ids
    }
}

/// An expunged message's row as the expunge transaction reads it back.
struct DeletedMessageRow: Sendable {
    var file: String
    var size: Int64
    var internalDate: Int64
    var flags: String
}

extension MailStore {
    /// The account's messages kept for undelete, oldest deletion first. At most 500 `ids`.
    public func deletedMessages(accountID: Int64, filter: DeletedMessageFilter = .init()) async throws -> [DeletedMessage] {
        var condition: SQLQueryString = "account_id = \(bind: accountID) AND restored_at IS NULL"
        if let mailbox = filter.mailbox {
            condition = "\(condition) AND mailbox_name = \(bind: MaildirPath.canonicalMailboxName(mailbox))"
        }
        if let since = filter.since { condition = "\(condition) AND deleted_at >= \(bind: since)" }
        if let ids = filter.ids {
            guard !ids.isEmpty else { return [] }
            let binds = ids.prefix(500).map { $0 as any Encodable & Sendable }
            condition = "\(condition) AND id IN (\(binds: binds))"
        }
        let rows = try await database.withConnection { [condition] db in
            try await db.raw(
                """
                SELECT id, mailbox_id, mailbox_name, size, internal_date, flags, deleted_at, folder_deleted
                FROM deleted_message WHERE \(condition) ORDER BY deleted_at, id
                """
            ).all()
        }
        return try rows.map { row in
            DeletedMessage(
                id: try row.decode(column: "id", as: Int64.self), mailboxID: try row.decode(column: "mailbox_id", as: Int64.self),
                mailboxName: try row.decode(column: "mailbox_name", as: String.self),
                size: try row.decode(column: "size", as: Int64.self),
                internalDate: try row.decode(column: "internal_date", as: Int64.self),
                flags: MessageFlags.decode(try row.decode(column: "flags", as: String.self)),
                deletedAt: try row.decode(column: "deleted_at", as: Int64.self),
                folderDeleted: try row.decode(column: "folder_deleted", as: Bool.self))
        }
    }

    /// The mailboxes messages were restored into at or after `since` (seconds since 1970), so a
    /// node can wake its IDLE sessions after a restore made by another process.
    public func restoredMailboxes(since: Int64) async throws -> [Int64] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT DISTINCT restored_mailbox_id FROM deleted_message
                WHERE restored_at >= \(bind: since) AND restored_mailbox_id IS NOT NULL
                """
            ).all().map { try $0.decode(column: "restored_mailbox_id", as: Int64.self) }
        }
    }

    /// Inside the expunge transaction: records the removed messages of `mailboxID` as kept.
    static func keepDeleted(
        _ db: any SQLDatabase, accountID: Int64, mailboxID: Int64, name: String, folder: String, rows: [DeletedMessageRow],
        folderDeleted: Bool
    ) async throws {
        let now = UnixTime.now()
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + 100, rows.count)]
            start += 100
            let values = batch.map { row in
                SQLQueryString(
                    """
                    (\(bind: accountID), \(bind: mailboxID), \(bind: name), \(bind: folder), \(bind: row.file), \(bind: row.size),
                     \(bind: row.internalDate), \(bind: row.flags), \(bind: now), \(bind: folderDeleted))
                    """)
            }
            try await db.raw(
                """
                INSERT INTO deleted_message
                  (account_id, mailbox_id, mailbox_name, folder, file, size, internal_date, flags, deleted_at, folder_deleted)
                VALUES \(values.joined(separator: ", "))
                """
            ).run()
        }
    }

    /// Inside the mailbox-delete transaction, before the message rows go: records them all as kept.
    static func keepDeletedMailbox(_ db: any SQLDatabase, accountID: Int64, mailboxID: Int64, name: String, folder: String)
        async throws
    {
        try await db.raw(
            """
            INSERT INTO deleted_message
              (account_id, mailbox_id, mailbox_name, folder, file, size, internal_date, flags, deleted_at, folder_deleted)
            SELECT CAST(\(bind: accountID) AS BIGINT), mailbox_id, CAST(\(bind: name) AS TEXT), CAST(\(bind: folder) AS TEXT),
              file, size, internal_date, flags, CAST(\(bind: UnixTime.now()) AS BIGINT), TRUE
            FROM message WHERE mailbox_id = \(bind: mailboxID)
            """
        ).run()
    }

    /// Whether kept messages still live in the account's maildir `folder` (which must then stay).
    static func holdsDeleted(_ db: any SQLDatabase, accountID: Int64, folder: String) async throws -> Bool {
        try await db.raw(
            """
            SELECT id FROM deleted_message
            WHERE account_id = \(bind: accountID) AND folder = \(bind: folder) AND restored_at IS NULL LIMIT 1
            """
        ).first() != nil
    }
}
