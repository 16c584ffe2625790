import Core
import SQLKit

/// Which held messages `QuarantineStore.entries(matching:before:limit:)` lists; every condition
/// is evaluated by the database.
public struct QuarantineQuery: Sendable, Equatable {
    /// Text the reason contains (any case).
    public var reason: String?
    /// Text the envelope sender contains (any case).
    public var sender: String?
    /// Text one recipient contains (any case).
    public var recipient: String?
    /// Only messages with at least one recipient in one of these domains (lower case); nil: any.
    /// A prefilter: whether every recipient must be inside is the caller's rule.
    public var recipientDomains: Set<String>?

    public init(reason: String? = nil, sender: String? = nil, recipient: String? = nil, recipientDomains: Set<String>? = nil) {
        (self.reason, self.sender, self.recipient, self.recipientDomains) = (reason, sender, recipient, recipientDomains)
    }
}

/// Where a page of the quarantine listing ends: the next page starts before this message.
public struct QuarantinePosition: Sendable, Equatable {
    public var heldAt: Int64
    public var id: String

    public init(heldAt: Int64, id: String) { (self.heldAt, self.id) = (heldAt, id) }
}

extension QuarantineStore {
    /// Up to `limit` held messages matching `query`, newest first, before `position` (keyset
    /// paging on `(held_at, id)`, index `quarantine_held`).
    public func entries(matching query: QuarantineQuery, before position: QuarantinePosition?, limit: Int) async throws
        -> [QuarantineEntry]
    {
        if let domains = query.recipientDomains, domains.isEmpty { return [] }
        return try await database.withConnection { db in
            var sql: SQLQueryString =
                "SELECT \(unsafeRaw: Self.columns.joined(separator: ", ")) FROM quarantine WHERE 1 = 1"
            func containing(_ column: String, _ text: String?) {
                guard let text = text?.lowercased(), !text.isEmpty else { return }
                sql += " AND LOWER(\(unsafeRaw: column)) LIKE \(bind: SQLLike.containing(text)) \(unsafeRaw: SQLLike.escape)"
            }
            containing("reason", query.reason)
            containing("reverse_path", query.sender)
            containing("recipients", query.recipient)
            if let domains = query.recipientDomains {
                // Recipients are stored one per line: "@domain" then the end of a line.
                let any = domains.sorted().map { domain -> SQLQueryString in
                    let pattern = SQLLike.containing("@" + domain + "\n")
                    return "LOWER(recipients) || \(bind: "\n") LIKE \(bind: pattern) \(unsafeRaw: SQLLike.escape)"
                }
                sql += " AND (" + any.joined(separator: " OR ") + ")"
            }
            if let position {
                sql += """
                     AND (held_at < \(bind: position.heldAt) \
                    OR (held_at = \(bind: position.heldAt) AND id < \(bind: position.id)))
                    """
            }
            sql += " ORDER BY held_at DESC, id DESC LIMIT \(literal: max(0, limit))"
            return try await db.raw(sql).all().map(Self.entry)
        }
    }
}
