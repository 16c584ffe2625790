import Core
import SQLKit

/// Which queued messages `MailQueue.entries(matching:after:limit:)` lists: every condition is
/// evaluated by the database, so a page costs the same with ten or a hundred thousand messages.
public struct QueueQuery: Sendable, Equatable {
    /// The states of `QueueCounts`: held whatever its deliveries; deferred when a pending delivery
    /// was tried before; active when it has pending deliveries none of which was tried.
    public enum State: String, Sendable, CaseIterable {
        case active, deferred, held
    }

    public var state: State?
    /// Text the envelope sender contains (any case).
    public var sender: String?
    /// Text one recipient contains (any case).
    public var recipient: String?
    /// Only messages whose every recipient is in one of these domains (lower case); nil: any.
    public var recipientDomains: Set<String>?

    public init(state: State? = nil, sender: String? = nil, recipient: String? = nil, recipientDomains: Set<String>? = nil) {
        (self.state, self.sender, self.recipient, self.recipientDomains) = (state, sender, recipient, recipientDomains)
    }
}

/// Where a page of the queue listing ends: the next page starts after this message.
public struct QueuePosition: Sendable, Equatable {
    public var receivedAt: Int64
    public var id: String

    public init(receivedAt: Int64, id: String) { (self.receivedAt, self.id) = (receivedAt, id) }
}

extension MailQueue {
    /// Up to `limit` messages matching `query`, oldest first, after `position` (keyset paging on
    /// `(received_at, id)`), with their deliveries; and where the next page starts, nil at the end.
    public func entries(matching query: QueueQuery, after position: QueuePosition?, limit: Int) async throws -> (
        entries: [QueueEntry], next: QueuePosition?
    ) {
        if let domains = query.recipientDomains, domains.isEmpty { return ([], nil) }
        let pending = DeliveryStatus.pending.rawValue
        return try await database.withConnection { db in
            var sql: SQLQueryString =
                "SELECT \(unsafeRaw: Self.entryColumns.joined(separator: ", ")) FROM queue_message m WHERE 1 = 1"
            let tried: SQLQueryString = """
                EXISTS (SELECT 1 FROM queue_recipient r WHERE r.message_id = m.id AND r.status = \(bind: pending) \
                AND r.attempts > 0)
                """
            let waiting: SQLQueryString =
                "EXISTS (SELECT 1 FROM queue_recipient r WHERE r.message_id = m.id AND r.status = \(bind: pending))"
            switch query.state {
            case .held: sql += " AND m.held = \(bind: true)"
            case .deferred: sql += " AND m.held = \(bind: false) AND " + tried
            case .active: sql += " AND m.held = \(bind: false) AND " + waiting + " AND NOT " + tried
            case nil: break
            }
            if let sender = query.sender?.lowercased(), !sender.isEmpty {
                sql += " AND LOWER(m.reverse_path) LIKE \(bind: SQLLike.containing(sender)) \(unsafeRaw: SQLLike.escape)"
            }
            if let recipient = query.recipient?.lowercased(), !recipient.isEmpty {
                sql += """
                     AND EXISTS (SELECT 1 FROM queue_recipient r WHERE r.message_id = m.id \
                    AND LOWER(r.recipient) LIKE \(bind: SQLLike.containing(recipient)) \(unsafeRaw: SQLLike.escape))
                    """
            }
            if let domains = query.recipientDomains {
                // Every recipient in the domains: at least one, and none outside them.
                let inside = domains.sorted().map { domain -> SQLQueryString in
                    "LOWER(r.recipient) LIKE \(bind: SQLLike.ending(with: "@" + domain)) \(unsafeRaw: SQLLike.escape)"
                }
                sql += " AND EXISTS (SELECT 1 FROM queue_recipient r WHERE r.message_id = m.id)"
                sql += " AND NOT EXISTS (SELECT 1 FROM queue_recipient r WHERE r.message_id = m.id AND NOT ("
                sql += inside.joined(separator: " OR ") + "))"
            }
            if let position {
                sql += """
                     AND (m.received_at > \(bind: position.receivedAt) \
                    OR (m.received_at = \(bind: position.receivedAt) AND m.id > \(bind: position.id)))
                    """
            }
            sql += " ORDER BY m.received_at, m.id LIMIT \(literal: limit + 1)"
            let rows = try await db.raw(sql).all()
            let page = Array(rows.prefix(limit))
            let entries = try await Self.entries(
                page, ids: try page.map { try $0.decode(column: "id", as: String.self) }, db)
            let next = rows.count > limit ? entries.last.map { QueuePosition(receivedAt: $0.receivedAt, id: $0.id) } : nil
            return (entries, next)
        }
    }
}
