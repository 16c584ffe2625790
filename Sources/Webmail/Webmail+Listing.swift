import Core
import Directory
import SQLKit
import Store

/// How a message list is ordered.
public enum MessageSort: String, Sendable, CaseIterable {
    /// The Date: field (the arrival time when it has none).
    case date
    case from
    case subject
    case size
}

/// Which page of which folder, in which order, with which messages.
public struct MessageListQuery: Sendable, Hashable {
    public var folder: String
    public var sort: MessageSort = .date
    public var descending = true
    /// 0-based.
    public var page = 0
    public var pageSize = 50
    public var unreadOnly = false
    public var flaggedOnly = false
    /// One row per conversation (messages grouped by References/In-Reply-To), newest first.
    public var conversations = false

    public init(folder: String) { self.folder = folder }
}

/// One row of the message list.
public struct MessageListItem: Sendable, Hashable {
    public var uid: UInt32
    public var fromName: String
    public var fromAddress: String
    public var to: String
    public var subject: String
    /// The Date: field's instant, else the arrival time.
    public var sentAt: Int64
    public var size: Int64
    public var flags: [String]
    public var hasAttachment: Bool
    /// Messages of its conversation in this folder (1 outside the conversation view).
    public var conversationCount: Int

    public var isSeen: Bool { has("\\Seen") }
    public var isFlagged: Bool { has("\\Flagged") }
    public var isAnswered: Bool { has("\\Answered") }
    public var isForwarded: Bool { has("$Forwarded") }
    public var isDraft: Bool { has("\\Draft") }

    func has(_ flag: String) -> Bool { flags.contains { $0.lowercased() == flag.lowercased() } }
}

/// A page of a folder's messages.
public struct MessageListing: Sendable {
    public var folder: WebFolder
    public var query: MessageListQuery
    public var items: [MessageListItem]
    /// Messages (or conversations) matching the query, over every page.
    public var total: Int
    /// Messages of the folder not summarised yet, so not listed (mail stored before the webmail
    /// existed, being summarised in the background); 0 normally.
    public var unlisted = 0
    public var pageCount: Int { max(1, (total + query.pageSize - 1) / query.pageSize) }
}

extension Webmail {
    /// A page of a folder, sorted and paged by the database (`SummaryIndex`): the unfiltered date,
    /// sender, subject and size orders walk an index of `webmail_summary` and stop after the page.
    public func list(_ account: Account, _ query: MessageListQuery) async throws -> MessageListing {
        var query = query
        query.pageSize = min(max(query.pageSize, WebmailLimits.pageSizes.lowerBound), WebmailLimits.pageSizes.upperBound)
        query.page = max(0, min(query.page, 1_000_000))
        let box = try await mailbox(account, query.folder)
        let (messages, unlisted) = try await summarise(box)
        let folder = WebFolder(box)
        var condition: SQLQueryString = "w.mailbox_id = \(bind: box.id)"
        let filtered = query.unreadOnly || query.flaggedOnly
        if query.unreadOnly { condition += " AND NOT m.seen" }
        if query.flaggedOnly {
            condition += " AND lower(m.flags) LIKE \(bind: SQLLike.containing("\\flagged")) \(unsafeRaw: SQLLike.escape)"
        }
        // Each order is one index of webmail_summary walked forwards or backwards: sender and
        // subject list the newest first within a sender or subject, and descending is the exact
        // reverse of ascending.
        let (forward, backward): (SQLQueryString, SQLQueryString) =
            query.descending ? ("DESC", "ASC") : ("ASC", "DESC")
        let order: SQLQueryString =
            switch query.sort {
            case .date: "w.sent_at \(forward), w.message_id \(forward)"
            case .from: "w.from_sort \(forward), w.sent_at \(backward), w.message_id \(backward)"
            case .subject: "w.subject_sort \(forward), w.sent_at \(backward), w.message_id \(backward)"
            case .size: "w.size \(forward), w.message_id \(forward)"
            }
        let offset = query.page * query.pageSize
        let (rows, total) = try await database.withConnection { [query, condition] db -> ([any SQLRow], Int) in
            if query.conversations {
                // The newest message of each conversation stands for it.
                let total =
                    try await db.raw(
                        """
                        SELECT COUNT(DISTINCT w.thread_key) AS n FROM message m JOIN webmail_summary w ON w.message_id = m.id
                        WHERE \(condition)
                        """
                    ).first()?.decode(column: "n", as: Int64.self) ?? 0
                let rows = try await db.raw(
                    """
                    SELECT m.uid, m.size, m.flags, w.sent_at, w.from_name, w.from_address, w.to_text, w.subject,
                      w.has_attachment, t.n AS conversation_count
                    FROM (SELECT w.thread_key, COUNT(*) AS n, MAX(m.id) AS newest FROM message m
                          JOIN webmail_summary w ON w.message_id = m.id WHERE \(condition) GROUP BY w.thread_key) t
                    JOIN message m ON m.id = t.newest JOIN webmail_summary w ON w.message_id = m.id
                    ORDER BY \(order) LIMIT \(bind: query.pageSize) OFFSET \(bind: offset)
                    """
                ).all()
                return (rows, Int(total))
            }
            // Unfiltered, every summarised message is listed: no second count.
            let total =
                filtered
                ? Int(
                    try await db.raw(
                        "SELECT COUNT(*) AS n FROM message m JOIN webmail_summary w ON w.message_id = m.id WHERE \(condition)"
                    ).first()?.decode(column: "n", as: Int64.self) ?? 0) : max(0, messages - unlisted)
            let rows = try await db.raw(
                """
                SELECT m.uid, m.size, m.flags, w.sent_at, w.from_name, w.from_address, w.to_text, w.subject,
                  w.has_attachment, 1 AS conversation_count
                FROM webmail_summary w JOIN message m ON m.id = w.message_id
                WHERE \(condition) ORDER BY \(order) LIMIT \(bind: query.pageSize) OFFSET \(bind: offset)
                """
            ).all()
            return (rows, total)
        }
        return MessageListing(
            folder: folder, query: query, items: try rows.map(Self.listItem), total: total, unlisted: unlisted)
    }

    static func listItem(_ row: any SQLRow) throws -> MessageListItem {
        MessageListItem(
            uid: UInt32(truncatingIfNeeded: try row.decode(column: "uid", as: Int64.self)),
            fromName: try row.decode(column: "from_name", as: String.self),
            fromAddress: try row.decode(column: "from_address", as: String.self),
            to: try row.decode(column: "to_text", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            sentAt: try row.decode(column: "sent_at", as: Int64.self),
            size: try row.decode(column: "size", as: Int64.self),
            flags: try row.decode(column: "flags", as: String.self).split(separator: " ").map(String.init),
            hasAttachment: try row.decode(column: "has_attachment", as: Bool.self),
            conversationCount: Int(try row.decode(column: "conversation_count", as: Int64.self)))
    }

    /// The messages of one conversation in a folder, oldest first.
    public func conversation(_ account: Account, folder: String, uid: UInt32) async throws -> [MessageListItem] {
        let box = try await mailbox(account, folder)
        _ = try await summarise(box)
        return try await database.withConnection { db in
            try await db.raw(
                """
                SELECT m.uid, m.size, m.flags, w.sent_at, w.from_name, w.from_address, w.to_text, w.subject,
                  w.has_attachment, 1 AS conversation_count
                FROM message m JOIN webmail_summary w ON w.message_id = m.id
                WHERE m.mailbox_id = \(bind: box.id) AND w.thread_key = (
                  SELECT w2.thread_key FROM message m2 JOIN webmail_summary w2 ON w2.message_id = m2.id
                  WHERE m2.mailbox_id = \(bind: box.id) AND m2.uid = \(bind: Int64(uid)))
                ORDER BY w.sent_at, m.uid LIMIT 500
                """
            ).all().map(Self.listItem)
        }
    }
}
